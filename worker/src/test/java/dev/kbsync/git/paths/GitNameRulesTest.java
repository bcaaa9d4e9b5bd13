package dev.kbsync.git.paths;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.RelativePath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The coordinator refuses at submit (400) the paths git would refuse on the worker, after the 202 (the job failed
 * INVALID_PATH): {@link RelativePath#checkNew}, which every process checks without JGit, refuses a name exactly when
 * git's own rules (JGit's checker, safe for Windows and macOS checkouts, as the worker's path guard runs it) do.
 */
class GitNameRulesTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "con",
                "CON",
                "con.md",
                "Con.tar.gz",
                "aux",
                "prn.md",
                "nul",
                "NUL.txt",
                "com1",
                "COM9.md",
                "lpt1",
                "lpt9.x",
                "com0",
                "com10",
                "lpt",
                "console",
                "auxiliary.md",
                "con-note.md",
                "nul-2.md",
                "a:b",
                "a*b",
                "a?b",
                "a<b",
                "a>b",
                "a|b",
                "a\"b",
                "x.",
                "x ",
                "x. ",
                "ok.md",
                "a..b.md",
                "ünïcødé 日本.md",
                ".git",
                ".GIT",
                ".git.",
                "git~1",
                "GIT~1",
                ".g\u200cit",
                ".gi\ufefft",
                "\u200c.git",
                ".github",
                "git~2",
                ".gitx",
                "a b.md",
                "-x",
                "#x",
                "~x",
                "x~",
                "a%b",
                "a&b",
                "a'b",
                "[x]",
                "{x}",
                "x;y",
                "a=b",
                "a,b",
                "a@b",
                "a!b"
            })
    void shouldRefuseANameExactlyWhenGitDoes(String name) {
        boolean gitRefuses = refuses(() -> PathSyntax.check(name));
        boolean cheapRefuses = refuses(() -> RelativePath.checkNew(name));

        assertThat(cheapRefuses)
                .as("RelativePath refuses '%s' (git refuses it: %s)", name, gitRefuses)
                .isEqualTo(gitRefuses);
    }

    @ParameterizedTest
    @ValueSource(strings = {"con.md", "what?.md", "notes/aux/x.md", "x.", "a|b"})
    void shouldStillReadAFileAnotherToolNamedAsWindowsWouldNot(String path) {
        assertThat(RelativePath.check(path)).isEqualTo(path);
    }

    private static boolean refuses(Runnable check) {
        try {
            check.run();
            return false;
        } catch (InvalidInputException e) {
            return true;
        }
    }
}
