package dev.kbsync.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockFileLocationTest {
    @TempDir
    Path root;

    private final LocalKbLock locks = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());

    @Test
    void shouldKeepTheLockFileOutOfGitAddAll() throws Exception {
        Path kb = root.resolve("team");
        try (Git git = Git.init().setDirectory(kb.toFile()).call()) {
            Files.writeString(kb.resolve("note.md"), "hello\n");
            try (LocalKbLock.Handle held = locks.acquire(kb, "create_note_user_7", Duration.ofSeconds(30))) {
                assertThat(locks.holder(kb)).map(LockHolder::operation).contains(held.operation());
                assertThat(locks.lockFile(kb)).isEqualTo(kb.toRealPath().resolve(".git/kbsync.lock"));
                git.add().addFilepattern(".").call();
                Status status = git.status().call();
                assertThat(status.getAdded()).containsExactly("note.md");
                assertThat(status.getUntracked()).isEmpty();
            }
        }
    }

    @Test
    void shouldExcludeTheLegacyLockFileWithoutDeletingIt() throws Exception {
        Path kb = root.resolve("team");
        try (Git git = Git.init().setDirectory(kb.toFile()).call()) {
            Files.writeString(kb.resolve(".kb_operations.lock"), "");
            Files.writeString(kb.resolve("note.md"), "hello\n");
            locks.acquire(kb, "op", Duration.ofSeconds(30)).close();
            locks.acquire(kb, "op", Duration.ofSeconds(30)).close();
            git.add().addFilepattern(".").call();
            assertThat(git.status().call().getAdded()).containsExactly("note.md");
            assertThat(kb.resolve(".kb_operations.lock")).exists();
            assertThat(Files.readAllLines(kb.resolve(".git/info/exclude")))
                    .filteredOn("/.kb_operations.lock"::equals)
                    .hasSize(1);
        }
    }

    @Test
    void shouldPutTheLockFileBesideAKbWithoutGit() throws Exception {
        Path kb = Files.createDirectories(root.resolve("plain"));
        try (LocalKbLock.Handle held = locks.acquire(kb, "op", Duration.ofSeconds(30))) {
            assertThat(locks.holder(kb)).map(LockHolder::operation).contains(held.operation());
            Path file = locks.lockFile(kb);
            assertThat(file.getParent()).isEqualTo(root.toRealPath().resolve(".kbsync-locks"));
            assertThat(file.getFileName().toString()).startsWith("plain-").endsWith(".lock");
            assertThat(file).exists();
        }
        try (Stream<Path> files = Files.list(kb)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void shouldUseTheConfiguredLockDir() throws Exception {
        Path kb = Files.createDirectories(root.resolve("plain"));
        Path dir = root.resolve("locks");
        LocalKbLock configured = new LocalKbLock(
                new LocalLockConfig(Duration.ofSeconds(5), Duration.ofMillis(20), dir), Clock.systemUTC());
        assertThat(configured.lockFile(kb).getParent()).isEqualTo(dir);
    }
}
