package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read that gets to open a KB's mirror while the coordinator stops (its read thread ran on past the close) is
 * answered COORDINATOR_STOPPING: it opens no mirror nobody will close, and meets no shut timer.
 */
class KbMirrorsStopTest {
    @TempDir
    Path dir;

    @Test
    void shouldOpenNoMirrorOnceClosed() {
        KbMirrors mirrors = KbMirrors.start(
                Optional.of(dir.resolve("mirrors")),
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                2,
                new FetchAuth(List.of()),
                kb -> CompletableFuture.completedFuture(Optional.empty()),
                kb -> {},
                kb -> {});
        mirrors.close();

        KbConfig kb = new KbConfig(KbId.of("team"), dir.resolve("remote.git").toString(), "main");
        assertThatThrownBy(() -> mirrors.mirror(kb))
                .isInstanceOfSatisfying(
                        UnavailableException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.code())
                                .isEqualTo("COORDINATOR_STOPPING"));
    }
}
