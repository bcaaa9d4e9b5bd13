package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference server-side hook ({@code deploy/hooks/kbsync-fence-pre-receive}) installed as a bare repository's
 * pre-receive hook, driven by the real {@code git push}/{@code git receive-pack}: a push carrying a fence below the
 * branch's is refused, a higher (or the same grant's) fence is accepted, and so are commits without trailers.
 */
class FenceHookIT {
    private static final Path HOOK = Path.of("..", "deploy", "hooks", "kbsync-fence-pre-receive");

    @TempDir
    Path tmp;

    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        Path bare = tmp.resolve("kb.git");
        git(tmp, "init", "-q", "--bare", "-b", "main", bare.toString());
        Path hook = bare.resolve("hooks/pre-receive");
        Files.copy(HOOK, hook, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        work = tmp.resolve("work");
        git(tmp, "clone", "-q", bare.toUri().toString(), work.toString());
        commit("first", "Kbsync-Fence: 5", "Kbsync-Kb: team");
        assertThat(push().code()).isZero();
    }

    @Test
    void shouldRefuseAPushWhoseFenceIsBelowTheBranchHeads() throws Exception {
        commit("stale", "Kbsync-Fence: 4", "Kbsync-Kb: team");

        Result push = push();

        assertThat(push.code()).isNotZero();
        assertThat(push.output())
                .contains("kbsync: refused")
                .contains("Kbsync-Fence 4")
                .contains("fenced at 5");
    }

    @Test
    void shouldRefuseAStaleCommitHiddenBehindAFreshOne() throws Exception {
        commit("stale", "Kbsync-Fence: 3", "Kbsync-Kb: team");
        commit("fresh", "Kbsync-Fence: 9", "Kbsync-Kb: team");

        assertThat(push().code()).isNotZero();
    }

    @Test
    void shouldAcceptAHigherFenceTheSameGrantAndCommitsWithoutTrailers() throws Exception {
        commit("same grant again", "Kbsync-Fence: 5", "Kbsync-Kb: team");
        commit("a person's edit");
        commit("next grant", "Kbsync-Fence: 6", "Kbsync-Kb: team");

        assertThat(push().code()).isZero();
    }

    @Test
    void shouldJudgeEachKbByItsOwnFences() throws Exception {
        commit("another KB on the same branch", "Kbsync-Fence: 1", "Kbsync-Kb: docs");
        assertThat(push().code()).isZero();

        commit("stale for docs", "Kbsync-Fence: 0", "Kbsync-Kb: docs");
        assertThat(push().code()).isNotZero();
    }

    private void commit(String subject, String... trailers) throws Exception {
        Files.writeString(work.resolve("note.md"), subject + "\n");
        git(work, "add", "note.md");
        String message = trailers.length == 0 ? subject : subject + "\n\n" + String.join("\n", trailers);
        Result result = git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message);
        assertThat(result.code()).as(result.output()).isZero();
    }

    private Result push() throws Exception {
        Result push = git(work, "push", "origin", "main");
        if (push.code() != 0) {
            git(work, "reset", "-q", "--hard", "origin/main"); // drop what the remote refused
        }
        return push;
    }

    private record Result(int code, String output) {}

    private static Result git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
