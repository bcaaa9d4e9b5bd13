package dev.kbsync.coordinator.snapshot;

import static dev.kbsync.testing.BareRemotes.pushCommit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.testing.BareRemotes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportProtocol;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read that waits for a commit ({@code ?after=}) fetches at once and then again after growing pauses, not every
 * 100 ms for its whole wait: one read naming a commit that never comes (a typo, a made-up id, an empty KB) must not
 * keep the KB's remote fetched back to back (its rate limit, its load, the host's fetch lane).
 */
class AfterWaitFetchesIT {
    private static final AtomicInteger opened = new AtomicInteger();

    @TempDir
    Path tmp;

    @Test
    void shouldFetchAFewTimesNotContinuallyWhileWaitingForACommitThatNeverComes() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "main");
        pushCommit(remote, "main", "# main\n");
        TransportProtocol counting = counting(remote);
        Transport.register(counting);
        KbConfig kb = new KbConfig(KbId.of("notes"), "kbsync-counting://host" + remote, "main");
        try (KbMirrors mirrors = KbMirrors.start(
                Optional.of(tmp.resolve("mirrors")),
                Duration.ofMinutes(5),
                Duration.ofSeconds(5),
                8,
                new FetchAuth(List.of()),
                id -> CompletableFuture.completedFuture(Optional.of(kb)),
                id -> {},
                id -> {})) {
            mirrors.read(kb, Optional.empty(), Duration.ofSeconds(5), s -> "first")
                    .get(10, TimeUnit.SECONDS);
            int before = opened.get();

            ObjectId never = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
            assertThatThrownBy(() -> mirrors.read(kb, Optional.of(never), Duration.ofSeconds(4), s -> "x")
                            .get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("does not hold commit");

            assertThat(opened.get() - before).as("fetches during a 4 s wait").isBetween(2, 10);
        } finally {
            Transport.unregister(counting);
        }
    }

    private static TransportProtocol counting(Path remote) {
        return new TransportProtocol() {
            @Override
            public String getName() {
                return "counting for a test";
            }

            @Override
            public Set<String> getSchemes() {
                return Set.of("kbsync-counting");
            }

            @Override
            public boolean canHandle(URIish uri, Repository local, String remoteName) {
                return "kbsync-counting".equals(uri.getScheme());
            }

            @Override
            public Transport open(URIish uri, Repository local, String remoteName)
                    throws NotSupportedException, TransportException {
                opened.incrementAndGet();
                return Transport.open(local, new URIish().setPath(remote.toString()));
            }
        };
    }
}
