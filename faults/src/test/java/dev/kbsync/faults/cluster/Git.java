package dev.kbsync.faults.cluster;

import dev.kbsync.faults.check.RemoteCommit;
import dev.kbsync.faults.check.RemoteLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The git CLI on the suite's bare remotes: create one with a seed commit, read its branch, fsck it. */
public final class Git {
    private static final Logger LOG = LoggerFactory.getLogger(Git.class);
    private static final String FIELD = "\u001f";
    private static final String RECORD = "\u001e";

    private Git() {}

    /**
     * A bare repository at {@code bare} with one seed commit on {@code main}; non-fast-forward pushes denied, and a
     * {@code pre-receive} hook that refuses every push while {@link #refuseFlag} exists.
     */
    public static void createRemote(Path bare, Path scratch) {
        try {
            Files.createDirectories(bare.getParent());
            Files.createDirectories(scratch.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(bare.getParent(), "git", "init", "-q", "--bare", "-b", "main", bare.toString());
        run(bare, "git", "config", "receive.denyNonFastForwards", "true");
        refusePushesWhile(bare);
        run(scratch.getParent(), "git", "init", "-q", "-b", "main", scratch.toString());
        try {
            Files.writeString(scratch.resolve("README.md"), "# KB\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(scratch, "git", "add", "README.md");
        run(
                scratch,
                "git",
                "-c",
                "user.name=seed",
                "-c",
                "user.email=seed@kbsync",
                "commit",
                "-q",
                "-m",
                "Initial commit");
        run(scratch, "git", "push", "-q", bare.toString(), "main:main");
    }

    /** The file whose presence makes the remote's {@code pre-receive} hook refuse every push. */
    public static Path refuseFlag(Path bare) {
        return bare.resolve("refuse-pushes");
    }

    private static void refusePushesWhile(Path bare) {
        Path hook = bare.resolve("hooks").resolve("pre-receive");
        String script = "#!/bin/sh\n"
                + "if [ -e '" + refuseFlag(bare) + "' ]; then\n"
                + "  echo 'pushes are refused for a while (maintenance)' >&2\n"
                + "  exit 1\n"
                + "fi\n"
                + "exit 0\n";
        try {
            Files.createDirectories(hook.getParent());
            Files.writeString(hook, script);
            hook.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The remote's {@code main}, oldest commit first, with each commit's trailers, and its {@code git fsck}. A log that
     * fails is read once more after 5 s (a worker's JVM may still be repacking a file remote in the background,
     * {@code receive.autogc}), with a copy of the remote as it was kept under {@code evidence} first; a second failure
     * is thrown.
     */
    public static RemoteLog read(String kb, Path bare, Path evidence) {
        String[] command = {
            "git",
            "log",
            "--reverse",
            "--topo-order",
            "--format=%H" + FIELD + "%(trailers:key=Kbsync-Job,valueonly,separator=%x2c)" + FIELD
                    + "%(trailers:key=Kbsync-Fence,valueonly,separator=%x2c)" + RECORD,
            "main"
        };
        Result first = exec(bare, command);
        String log;
        if (first.code() == 0) {
            log = first.output();
        } else {
            Path copy = evidence.resolve(kb + ".git-unreadable");
            exec(bare, "cp", "-a", bare.toString(), copy.toString());
            LOG.warn(
                    "git log of {} failed ({}); a copy of the remote is in {}; reading it again in 5 s",
                    kb,
                    first.output().strip(),
                    copy);
            sleep(5_000);
            log = run(bare, command);
            LOG.warn("git log of {} worked the second time", kb);
        }
        List<RemoteCommit> commits = new ArrayList<>();
        for (String record : log.split(RECORD)) {
            String[] fields = record.strip().split(FIELD, -1);
            if (fields.length < 3 || fields[0].isBlank()) {
                continue;
            }
            List<String> jobs = Arrays.stream(fields[1].strip().split(","))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
            String fence = fields[2].strip();
            commits.add(new RemoteCommit(fields[0].strip(), jobs, fence.isEmpty() ? 0 : Long.parseLong(fence)));
        }
        Result fsck = exec(bare, "git", "fsck", "--strict", "--no-progress");
        return new RemoteLog(kb, commits, fsck.code() == 0, fsck.output());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Result(int code, String output) {}

    private static String run(Path dir, String... command) {
        Result result = exec(dir, command);
        if (result.code() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + result.output());
        }
        return result.output();
    }

    private static Result exec(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out: " + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
