package dev.kbsync.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteHousekeepingTest {
    @TempDir
    Path tmp;

    private static final int LIMIT = 5;

    @Test
    void shouldTurnOffJGitsGcAfterEachReceiveOnTheDemoRemote() throws Exception {
        Path bare = DemoRemote.ensure(tmp.resolve("remotes/demo.git"), tmp.resolve("scratch"), true);

        assertThat(autoGcOnReceive(bare)).isFalse();

        // a remote made by an earlier version is switched when the stack starts on it
        try (Repository repo = Git.open(bare.toFile()).getRepository()) {
            repo.getConfig().setBoolean("receive", null, "autogc", true);
            repo.getConfig().save();
        }
        DemoRemote.ensure(bare, tmp.resolve("scratch"), true);
        assertThat(autoGcOnReceive(bare)).isFalse();
    }

    private static boolean autoGcOnReceive(Path bare) throws Exception {
        try (Repository repo = Git.open(bare.toFile()).getRepository()) {
            return repo.getConfig().getBoolean("receive", null, "autogc", true);
        }
    }

    @Test
    void shouldRepackOnceThePushesLeftTooManyPacksAndThenWaitOutItsBudget() throws Exception {
        Path bare = DemoRemote.ensure(tmp.resolve("remotes/demo.git"), tmp.resolve("scratch"), true);
        AtomicLong now = new AtomicLong(1_000_000_000L);
        // a pack limit of 5, not 50: the same behaviour in 14 pushes instead of 104 (28 s on a loaded machine)
        RemoteHousekeeping housekeeping = new RemoteHousekeeping(bare, now::get, LIMIT);
        try (Git clone = Git.cloneRepository()
                .setURI(bare.toUri().toString())
                .setDirectory(tmp.resolve("clone").toFile())
                .call()) {
            push(clone, 0, LIMIT + 2);
            assertThat(housekeeping.packs()).isGreaterThan(LIMIT);

            assertThat(housekeeping.runIfDue()).isTrue();
            assertThat(housekeeping.packs()).isEqualTo(1);
            assertThat(housekeeping.runIfDue()).as("one pack: nothing to do").isFalse();

            push(clone, 100, LIMIT + 2);
            long repack = housekeeping.lastRepackNanos();
            assertThat(repack).isPositive();
            assertThat(housekeeping.runIfDue())
                    .as("within its budget since the last repack")
                    .isFalse();
            now.addAndGet(RemoteHousekeeping.IDLE_FACTOR * repack);
            assertThat(housekeeping.runIfDue()).isTrue();
            assertThat(housekeeping.packs()).isEqualTo(1);
        }
        try (Git check = Git.open(bare.toFile())) {
            assertThat(check.log().call()).hasSizeGreaterThan(2 * LIMIT);
        }
    }

    /** {@code count} pushes of one commit each: JGit's receive keeps each as a pack of its own. */
    private static void push(Git clone, int first, int count) throws Exception {
        Path work = clone.getRepository().getWorkTree().toPath();
        for (int i = first; i < first + count; i++) {
            Files.writeString(work.resolve("note-" + i + ".md"), "note " + i + "\n");
            clone.add().addFilepattern(".").call();
            clone.commit()
                    .setMessage("note " + i)
                    .setAuthor("t", "t@example.org")
                    .call();
            clone.push().call();
        }
    }
}
