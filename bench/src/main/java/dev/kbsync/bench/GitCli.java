package dev.kbsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the git command line, the anchor for kbsync's JGit path. */
final class GitCli {
    private GitCli() {}

    static String run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=bench", "-c", "user.email=b@x"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** A bare remote with one commit on main, and a clone of it at {@code clone}. */
    static void seed(Path remote, Path clone) throws IOException, InterruptedException {
        run(remote.getParent(), "init", "-q", "--bare", "-b", "main", remote.toString());
        run(clone.getParent(), "clone", "-q", remote.toString(), clone.toString());
        java.nio.file.Files.writeString(clone.resolve("README.md"), "# bench KB\n");
        run(clone, "add", "-A");
        run(clone, "commit", "-q", "-m", "seed");
        run(clone, "push", "-q", "origin", "HEAD:main");
    }
}
