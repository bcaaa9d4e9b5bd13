package dev.kbsync.coordinator.snapshot;

import static dev.kbsync.testing.BareRemotes.pushCommit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.testing.BareRemotes;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read mirror fetches the KB's branch whatever the remote's HEAD names. */
class MirrorIT {
    @TempDir
    Path tmp;

    private final ExecutorService fetches = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        fetches.shutdownNow();
    }

    @Test
    void shouldFetchTheBranchWhenTheRemoteHeadIsDangling() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master"); // then only main pushed
        String main = pushCommit(remote, "main", "# main\n");
        assertThat(snapshotOf(remote, "main")).isEqualTo(main);
    }

    @Test
    void shouldFetchTheBranchWhenTheRemoteHeadNamesAnother() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master");
        pushCommit(remote, "master", "# master\n");
        String notes = pushCommit(remote, "notes", "# notes\n");
        assertThat(snapshotOf(remote, "notes")).isEqualTo(notes);
    }

    private String snapshotOf(Path remote, String branch) throws Exception {
        KbConfig kb = new KbConfig(KbId.of("notes"), remote.toString(), branch);
        try (Mirror mirror = Mirror.open(kb, tmp.resolve("mirror"), fetches, new FetchAuth(List.of()))) {
            mirror.refresh().join();
            assertThat(mirror.lastFailure()).isNull();
            return mirror.current().orElseThrow().commit().name();
        }
    }
}
