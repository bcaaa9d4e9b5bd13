package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent {@code reads.mirrorDir} keeps only mirrors of KBs still registered with that remote and branch: what an
 * earlier run left of a KB removed (or pointed at another remote) while this coordinator was down, or removed while
 * its mirror was not opened in this run, is deleted, not kept on disk for good.
 */
class KbMirrorsSweepTest {
    @TempDir
    Path dir;

    @Test
    void shouldDeleteAtStartTheMirrorsAnEarlierRunLeftOfKbsNoLongerRegisteredSo() throws IOException {
        Path base = dir.resolve("mirrors");
        MirrorDirs dirs = new MirrorDirs(base);
        KbConfig kept = kb("kept", "https://git.example.com/kept.git");
        Path current = MirrorDirsTest.mirror(dirs.of(kept));
        Path formerRemote = MirrorDirsTest.mirror(dirs.of(kb("kept", "https://git.example.com/old.git")));
        Path removed = MirrorDirsTest.mirror(dirs.of(kb("gone", "https://git.example.com/gone.git")));
        Path unknown = MirrorDirsTest.mirror(dirs.of(kb("unknown", "https://git.example.com/unknown.git")));
        Path other = Files.writeString(base.resolve("notes.txt"), "not a mirror");
        Map<KbId, KbConfig> registered = Map.of(kept.id(), kept);

        try (KbMirrors mirrors = KbMirrors.start(
                Optional.of(base),
                Duration.ofSeconds(30),
                Duration.ofMillis(100),
                2,
                new FetchAuth(List.of()),
                kb -> kb.value().equals("unknown")
                        ? CompletableFuture.failedFuture(new IllegalStateException("Redis unreachable"))
                        : CompletableFuture.completedFuture(Optional.ofNullable(registered.get(kb))),
                kb -> {},
                kb -> {})) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(removed) && !Files.exists(formerRemote));

            assertThat(current)
                    .as("the registered remote's mirror, reused by the next read")
                    .isDirectory();
            assertThat(unknown).as("a KB whose registration could not be read").isDirectory();
            assertThat(other).exists();
        }
    }

    @Test
    void shouldDeleteTheMirrorAnEarlierRunLeftOfAKbRemovedWhileItWasNotOpened() throws Exception {
        Path base = dir.resolve("mirrors");
        KbConfig team = kb("team", "https://git.example.com/team.git");
        Path left = MirrorDirsTest.mirror(new MirrorDirs(base).of(team));
        Map<KbId, KbConfig> registered = new ConcurrentHashMap<>(Map.of(team.id(), team));
        AtomicBoolean reachable = new AtomicBoolean(); // the start's look at what is left finds Redis unreachable

        try (KbMirrors mirrors = KbMirrors.start(
                Optional.of(base),
                Duration.ofSeconds(30),
                Duration.ofMillis(100),
                2,
                new FetchAuth(List.of()),
                kb -> reachable.get()
                        ? CompletableFuture.completedFuture(Optional.ofNullable(registered.get(kb)))
                        : CompletableFuture.failedFuture(new IllegalStateException("Redis unreachable")),
                kb -> {},
                kb -> {})) {
            Thread.sleep(6_000); // past the start's look
            reachable.set(true);
            registered.remove(team.id());
            mirrors.forget(team.id());

            await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(left));
        }
    }

    private static KbConfig kb(String id, String remote) {
        return new KbConfig(KbId.of(id), remote, "main");
    }
}
