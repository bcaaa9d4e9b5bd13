package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.git.Secrets;
import dev.kbsync.worker.fixture.Jobs;
import dev.kbsync.worker.fixture.Scripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentApplierTest {
    @TempDir
    Path kb;

    @TempDir
    Path scripts;

    @TempDir
    Path outside;

    @BeforeEach
    void seed() throws IOException {
        Files.createDirectories(kb.resolve(".git"));
        Files.writeString(kb.resolve("keep.md"), "keep\n");
        Files.writeString(kb.resolve("edit.md"), "old\n");
        Files.writeString(kb.resolve("gone.md"), "bye\n");
    }

    @Test
    void shouldReportCreatedEditedAndDeletedFiles() throws IOException {
        AgentApplier applier =
                applier("echo new > created.md; echo more >> edit.md; rm gone.md", Duration.ofSeconds(30));

        ApplyResult result =
                applier.apply(kb, Jobs.agent("j1", "bob", "tidy up the knowledge base please, all of it"), Jobs.KB);

        assertThat(result)
                .isEqualTo(new ApplyResult.Changed(
                        "Agent task: tidy up the knowledge base please, all of it",
                        java.util.List.of(
                                new FileChange("created.md", FileChange.Change.CREATED, null),
                                new FileChange("edit.md", FileChange.Change.EDITED, null),
                                new FileChange("gone.md", FileChange.Change.DELETED, null))));
        assertThat(Files.readString(kb.resolve("edit.md"))).isEqualTo("old\nmore\n");
        assertThat(kb.resolve("gone.md")).doesNotExist();
        assertThat(kb.resolve("keep.md")).hasContent("keep");
    }

    @Test
    void shouldShortenTheCommitMessageToFiftyCharacters() {
        assertThat(AgentApplier.message("x".repeat(60))).isEqualTo("Agent task: " + "x".repeat(50) + "...");
    }

    @Test
    void shouldKillTheAgentAndItsChildrenOnTimeout() throws IOException {
        Path pidFile = scripts.resolve("child.pid");
        AgentApplier applier = applier("sleep 300 & echo $! > " + pidFile + "; wait", Duration.ofSeconds(2));

        ApplyResult result = applier.apply(kb, Jobs.agent("j2", "bob", "hang"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_TIMEOUT");
        long child = Long.parseLong(Files.readString(pidFile).strip());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void shouldRefuseASymlinkOutOfTheKbAndChangeNothing() {
        AgentApplier applier = applier("echo x > fine.md; ln -s /tmp escape", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j3", "bob", "escape"), Jobs.KB);

        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(kb.resolve("fine.md")).doesNotExist();
        assertThat(kb.resolve("escape")).doesNotExist();
    }

    @Test
    void shouldRefuseWritesIntoAGitDirectory() {
        AgentApplier applier =
                applier("mkdir -p .git/hooks; echo evil > .git/hooks/pre-commit", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j4", "bob", "hook"), Jobs.KB);

        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(kb.resolve(".git/hooks")).doesNotExist();
    }

    @Test
    void shouldAcceptALinkThatStaysInsideTheKb() {
        AgentApplier applier = applier("ln -s keep.md alias.md", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j5", "bob", "alias"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Changed.class);
        assertThat(Files.isSymbolicLink(kb.resolve("alias.md"))).isTrue();
    }

    /**
     * A link already in the KB (pushed to its remote by anyone) that points outside it, or into {@code .git}, is not a
     * way out for the agent: its scratch copy holds a plain file with the link's text instead, and the link itself is
     * left as it is unless the agent changes that file.
     */
    @Test
    void shouldNotLetTheAgentReadThroughALinkInTheKbThatPointsOutOfIt() throws IOException {
        Path target = outsideFile();
        Files.createSymbolicLink(kb.resolve("absolute.md"), target);
        Files.createSymbolicLink(kb.resolve("relative.md"), kb.relativize(target));
        Files.createSymbolicLink(kb.resolve("git-config.md"), Path.of(".git/config"));
        Files.writeString(kb.resolve(".git/config"), "[core]\n\tsecret = in-git\n");
        AgentApplier applier = applier(
                "cat absolute.md relative.md git-config.md 2>/dev/null || true; echo new > new.md",
                Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j7", "bob", "read"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Changed.class);
        ApplyResult.Changed changed = (ApplyResult.Changed) result;
        assertThat(changed.answer()).doesNotContain("original").doesNotContain("in-git");
        assertThat(changed.files())
                .as("links it did not touch are not changes")
                .containsExactly(new FileChange("new.md", FileChange.Change.CREATED, null));
        assertThat(Files.isSymbolicLink(kb.resolve("absolute.md"))).isTrue();
        assertThat(Files.isSymbolicLink(kb.resolve("relative.md"))).isTrue();
    }

    @Test
    void shouldNotLetTheAgentWriteThroughALinkInTheKbThatPointsOutOfIt() throws IOException {
        Path target = outsideFile();
        Files.createSymbolicLink(kb.resolve("absolute.md"), target);
        Files.createSymbolicLink(kb.resolve("dir"), target.getParent());
        AgentApplier applier = applier(
                "echo appended >> absolute.md; (echo planted > dir/planted.md) 2>/dev/null || true",
                Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j8", "bob", "write"), Jobs.KB);

        assertThat(target).hasContent("original");
        assertThat(target.getParent().resolve("planted.md")).doesNotExist();
        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        assertThat(((ApplyResult.Refused) result).error().code())
                .as("a change at a path that leads out of the KB")
                .isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(Files.isSymbolicLink(kb.resolve("absolute.md"))).isTrue();
    }

    @Test
    void shouldRefuseALinkThatReachesGitThroughALinkAlreadyInTheKb() throws IOException {
        Files.createSymbolicLink(kb.resolve("gitlink"), Path.of(".git"));
        AgentApplier applier = applier("ln -s gitlink/config cfg.md", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j9", "bob", "chain"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(kb.resolve("cfg.md")).doesNotExist();
    }

    /**
     * A link is judged as the OS follows it, component by component: {@code d/..} is where {@code d} leads, then up.
     * Normalizing the text first ({@code sub/sub2/d/../..} to {@code sub}) would let {@code e} out to the KB's parent.
     */
    @Test
    void shouldRefuseALinkThatLeavesTheKbThroughAnotherNewLinkFollowedBeforeDotDot() {
        AgentApplier applier =
                applier("mkdir -p sub/sub2; cd sub/sub2; ln -s .. d; ln -s d/../.. e", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j11", "bob", "climb"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(kb.resolve("sub/sub2/e")).doesNotExist();
        assertThat(kb.resolve("sub/sub2/d")).doesNotExist();
    }

    @Test
    void shouldRefuseALinkThatLeavesTheKbThroughALinkAlreadyInTheCheckoutFollowedBeforeDotDot() throws IOException {
        Files.createDirectories(kb.resolve("sub/sub2"));
        Files.createSymbolicLink(kb.resolve("sub/sub2/d"), Path.of(".."));
        AgentApplier applier = applier("cd sub/sub2; ln -s d/../.. e", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j12", "bob", "climb"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(kb.resolve("sub/sub2/e")).doesNotExist();
    }

    /** A new link that itself stays inside but makes a link already in the KB lead out of it is refused too. */
    @Test
    void shouldRefuseANewLinkThatMakesALinkAlreadyInTheKbLeadOut() throws IOException {
        Files.createDirectories(kb.resolve("sub/sub2"));
        Files.createSymbolicLink(kb.resolve("sub/sub2/e"), Path.of("d/../.."));
        AgentApplier applier = applier("cd sub/sub2; ln -s .. d", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j16", "bob", "climb"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(kb.resolve("sub/sub2/d")).doesNotExist();
    }

    @Test
    void shouldAcceptALinkThroughAnotherLinkThatEndsInsideTheKb() {
        AgentApplier applier =
                applier("mkdir -p sub/sub2; cd sub/sub2; ln -s .. d; ln -s d/../keep.md e", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j13", "bob", "alias"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Changed.class);
        assertThat(kb.resolve("sub/sub2/e")).hasContent("keep");
    }

    /**
     * A new file the KB's ignore rules exclude (as the agent left them) is left out, as git would: not written into the
     * checkout (where it would outlive the job, into later tasks' scratch copies) and not reported as a change.
     */
    @Test
    void shouldLeaveOutNewFilesTheIgnoreRulesExclude() throws IOException {
        Files.writeString(kb.resolve(".gitignore"), "*.tmp\n");
        AgentApplier applier = applier(
                "echo x > cache.tmp; mkdir -p sub; echo y > sub/also.tmp; echo '*.log' >> .gitignore; echo z > run.log;"
                        + " echo new > real.md",
                Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j14", "bob", "work"), Jobs.KB);

        assertThat(result)
                .isInstanceOfSatisfying(
                        ApplyResult.Changed.class,
                        changed -> assertThat(changed.files())
                                .containsExactly(
                                        new FileChange(".gitignore", FileChange.Change.EDITED, null),
                                        new FileChange("real.md", FileChange.Change.CREATED, null)));
        assertThat(kb.resolve("cache.tmp")).doesNotExist();
        assertThat(kb.resolve("sub")).doesNotExist();
        assertThat(kb.resolve("run.log")).doesNotExist();
        assertThat(kb.resolve("real.md")).hasContent("new");
    }

    /** A folder swapped for a file, or a file for a folder, is carried over whole: the deletions go first. */
    @Test
    void shouldSwapAFolderForAFileAndAFileForAFolder() throws IOException {
        Files.createDirectories(kb.resolve("sub/deeper"));
        Files.writeString(kb.resolve("sub/inner.md"), "inner\n");
        Files.writeString(kb.resolve("sub/deeper/more.md"), "more\n");
        AgentApplier applier = applier(
                "rm -r sub; echo x > sub; rm keep.md; mkdir keep.md; echo y > keep.md/inner.md",
                Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j15", "bob", "swap"), Jobs.KB);

        assertThat(result)
                .isInstanceOfSatisfying(
                        ApplyResult.Changed.class,
                        changed -> assertThat(changed.files())
                                .containsExactlyInAnyOrder(
                                        new FileChange("sub", FileChange.Change.CREATED, null),
                                        new FileChange("sub/inner.md", FileChange.Change.DELETED, null),
                                        new FileChange("sub/deeper/more.md", FileChange.Change.DELETED, null),
                                        new FileChange("keep.md", FileChange.Change.DELETED, null),
                                        new FileChange("keep.md/inner.md", FileChange.Change.CREATED, null)));
        assertThat(kb.resolve("sub")).isRegularFile().hasContent("x");
        assertThat(kb.resolve("keep.md/inner.md")).hasContent("y");
    }

    private Path outsideFile() throws IOException {
        Path target = Files.createDirectories(outside.resolve("secrets")).resolve("target.md");
        Files.writeString(target, "original");
        return target;
    }

    @Test
    void shouldFailWithAgentNotConfiguredWithoutACommand() {
        ApplyResult result = new AgentApplier(Optional.empty()).apply(kb, Jobs.agent("j6", "bob", "anything"), Jobs.KB);

        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("AGENT_NOT_CONFIGURED");
    }

    @Test
    void shouldFailWhenTheAgentExitsNonZeroAndChangeNothing() {
        AgentApplier applier = applier("echo half > half.md; echo broken >&2; exit 3", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j7", "bob", "fail"), Jobs.KB);

        assertThat(((ApplyResult.Refused) result).error().message())
                .contains("code 3")
                .contains("broken");
        assertThat(kb.resolve("half.md")).doesNotExist();
    }

    @Test
    void shouldAnswerWithTheAgentsStdoutOnlyEvenWithoutChanges() {
        AgentApplier applier = applier(
                "printf '\\033[1mNo\\033[0m change needed.\\n'; echo 'debug noise' >&2", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j8", "bob", "anything to do?"), Jobs.KB);

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Changed.class, changed -> {
            assertThat(changed.files()).isEmpty();
            assertThat(changed.answer()).isEqualTo("No change needed.");
        });
    }

    @Test
    void shouldMaskSecretsAndCapTheAnswer() {
        Secrets.register("agent-canary-s3cr3t");
        try {
            assertThat(AgentAnswer.of("token agent-canary-s3cr3t here", false)).isEqualTo("token *** here");
        } finally {
            Secrets.forget("agent-canary-s3cr3t");
        }
        String capped = AgentAnswer.of("x".repeat(JobOutcome.MAX_RESULT_CHARS * 2), false);
        assertThat(capped).hasSize(JobOutcome.MAX_RESULT_CHARS).endsWith(AgentAnswer.CUT);
        assertThat(AgentAnswer.of("short", true)).isEqualTo("short" + AgentAnswer.CUT);
        assertThat(AgentAnswer.of(" \n\t ", false)).isNull();
    }

    /** Masked before it is cut: a secret across the cap must not leave its first part in the answer. */
    @Test
    void shouldMaskASecretThatStraddlesTheCap() {
        String secret = "agent-canary-straddle-0123456789abcdefgh"; // 40 characters
        int max = JobOutcome.MAX_RESULT_CHARS - AgentAnswer.CUT.length();
        Secrets.register(secret);
        try {
            String answer = AgentAnswer.of("x".repeat(max - 20) + secret, false);

            assertThat(answer).doesNotContain(secret.substring(0, 20)).endsWith("x***");
        } finally {
            Secrets.forget(secret);
        }
    }

    /** The failed agent's output tail in the error is cut after masking: no secret's last part at its start. */
    @Test
    void shouldMaskASecretThatStraddlesTheStartOfAFailedAgentsOutputTail() {
        String secret = "agent-canary-f41led-tail-0123456789abcde"; // 40 characters
        Secrets.register(secret);
        try {
            AgentApplier applier = applier(
                    "printf '%s' '" + secret + "' >&2; head -c 480 /dev/zero | tr '\\0' y >&2; exit 3",
                    Duration.ofSeconds(30));

            ApplyResult.Refused refused =
                    (ApplyResult.Refused) applier.apply(kb, Jobs.agent("j11", "bob", "fail"), Jobs.KB);

            assertThat(refused.error().code()).isEqualTo("AGENT_FAILED");
            assertThat(refused.error().message())
                    .contains("exited with code 3")
                    .contains("yyyy")
                    .doesNotContain(secret.substring(20));
        } finally {
            Secrets.forget(secret);
        }
    }

    /** A failed agent's output goes into the job's error as its answer would: masked. */
    @Test
    void shouldMaskSecretsInAFailedAgentsOutput() {
        Secrets.register("agent-canary-f41led");
        try {
            AgentApplier applier = applier(
                    "echo 'cloning https://x:agent-canary-f41led@h/r.git failed' >&2; exit 3", Duration.ofSeconds(30));

            ApplyResult.Refused refused =
                    (ApplyResult.Refused) applier.apply(kb, Jobs.agent("j10", "bob", "fail"), Jobs.KB);

            assertThat(refused.error().code()).isEqualTo("AGENT_FAILED");
            assertThat(refused.error().message()).contains("exited with code 3").doesNotContain("agent-canary-f41led");
        } finally {
            Secrets.forget("agent-canary-f41led");
        }
    }

    @Test
    void shouldCapAVeryLongAnswerReadFromTheAgent() {
        AgentApplier applier = applier("head -c 100000 /dev/zero | tr '\\0' 'y'", Duration.ofSeconds(30));

        ApplyResult.Changed changed =
                (ApplyResult.Changed) applier.apply(kb, Jobs.agent("j9", "bob", "talk a lot"), Jobs.KB);

        assertThat(changed.answer()).hasSize(JobOutcome.MAX_RESULT_CHARS).endsWith(AgentAnswer.CUT);
    }

    /**
     * A named pipe (or socket, or device) the agent leaves in the KB is refused before anything is compared or copied:
     * reading one blocks until something writes to it, which held the job, and the KB's local lock, forever.
     */
    @Test
    void shouldRefuseANamedPipeTheAgentLeavesAndChangeNothing() {
        AgentApplier created = applier("echo x > fine.md; mkfifo pipe", Duration.ofSeconds(30));
        AgentApplier replaced = applier("rm edit.md; mkfifo edit.md", Duration.ofSeconds(30));

        ApplyResult first = assertTimeoutPreemptively(
                Duration.ofSeconds(30), () -> created.apply(kb, Jobs.agent("j20", "bob", "pipe"), Jobs.KB));
        ApplyResult second = assertTimeoutPreemptively(
                Duration.ofSeconds(30), () -> replaced.apply(kb, Jobs.agent("j21", "bob", "pipe"), Jobs.KB));

        for (ApplyResult result : java.util.List.of(first, second)) {
            assertThat(result).isInstanceOf(ApplyResult.Refused.class);
            ApplyResult.Refused refused = (ApplyResult.Refused) result;
            assertThat(refused.error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
            assertThat(refused.error().message()).contains("not a file or a link");
        }
        assertThat(kb.resolve("fine.md")).doesNotExist();
        assertThat(kb.resolve("pipe")).doesNotExist();
        assertThat(kb.resolve("edit.md")).hasContent("old");
    }

    /**
     * The agent's work is the job's outcome even when its scratch directory cannot be removed afterwards (a folder it
     * made read-only; for root, a file it made immutable): the leftover is logged, not reported as the job's failure.
     */
    @Test
    void shouldKeepTheOutcomeWhenTheScratchDirectoryCannotBeRemoved() throws IOException, InterruptedException {
        Path where = scripts.resolve("scratch.txt");
        AgentApplier applier = applier(
                "echo new > created.md; mkdir -p stuck; touch stuck/f; chmod 555 stuck; pwd > " + where
                        + "; chattr +i stuck/f 2>/dev/null; true",
                Duration.ofSeconds(30));
        try {
            ApplyResult result = applier.apply(kb, Jobs.agent("j22", "bob", "stuck"), Jobs.KB);

            assertThat(result).isInstanceOf(ApplyResult.Changed.class);
            assertThat(kb.resolve("created.md")).hasContent("new");
        } finally {
            Path scratch = Path.of(Files.readString(where).strip());
            new ProcessBuilder("chattr", "-i", scratch.resolve("stuck/f").toString())
                    .start()
                    .waitFor();
            scratch.resolve("stuck").toFile().setWritable(true);
            WorkTrees.delete(scratch.getParent());
        }
    }

    /**
     * A runaway agent (its output past 64 MiB) is killed at once, not left to fill the temp disk until its timeout, and
     * its failure quotes the tail of what it said, read from the file's end.
     */
    @Test
    void shouldKillAnAgentWhoseOutputOutgrowsTheLimit() {
        AgentApplier applier = applier(
                "echo x > fine.md; head -c " + 70_000_000
                        + " /dev/zero | tr '\\0' 'e' >&2; echo last words >&2; sleep 60",
                Duration.ofSeconds(20));

        ApplyResult result = applier.apply(kb, Jobs.agent("j23", "bob", "shout"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        ApplyResult.Refused refused = (ApplyResult.Refused) result;
        assertThat(refused.error().code()).isEqualTo("AGENT_OUTPUT_TOO_LARGE");
        assertThat(refused.error().message()).contains("64 MiB").hasSizeLessThan(1_000);
        assertThat(kb.resolve("fine.md")).doesNotExist();
    }

    /**
     * A process the agent started in the background and left running when it exited (a server, a watcher) is killed
     * with its run, not left behind on the worker, one more after every task.
     */
    @Test
    void shouldKillWhatTheAgentLeftRunningWhenItExits() throws IOException {
        Path pidFile = scripts.resolve("left.pid");
        AgentApplier applier = applier(
                "sleep 300 & echo $! > " + pidFile + "; echo done > done.md; sleep 1.5", Duration.ofSeconds(30));

        ApplyResult result = applier.apply(kb, Jobs.agent("j24", "bob", "start a server"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Changed.class);
        long child = Long.parseLong(Files.readString(pidFile).strip());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    }

    private AgentApplier applier(String body, Duration timeout) {
        return new AgentApplier(Optional.of(Scripts.agent(scripts, "agent", body, timeout)));
    }
}
