package dev.kbsync.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** git CLI anchors: the original pull-commit-push model per note (over a delaying network), and a pull. */
final class GitAnchors {
    private final BenchContext ctx;

    GitAnchors(BenchContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The original model, one note at a time: git CLI pull + write + add + commit + push against a bare remote served
     * over git:// on loopback, through a proxy adding {@code roundTripMillis} to every round trip.
     */
    Measurement cliOverNetwork(int roundTripMillis, int notes) throws Exception {
        try (NetworkRemote remote = new NetworkRemote(ctx, roundTripMillis)) {
            Path clone = remote.scratch("clone");
            GitCli.run(clone.getParent(), "clone", "-q", remote.url(), clone.toString());
            int[] n = {0};
            return Timer.loop(
                    "git CLI pull + commit + push per note, git:// +" + roundTripMillis + " ms per round trip",
                    1,
                    notes,
                    () -> {
                        int i = n[0]++;
                        GitCli.run(clone, "pull", "-q", "--ff-only", "origin", "main");
                        Files.writeString(clone.resolve("note-" + i + ".md"), "note " + i + "\n");
                        GitCli.run(clone, "add", "-A");
                        GitCli.run(clone, "commit", "-q", "-m", "Add: note " + i);
                        GitCli.run(clone, "push", "-q", "origin", "HEAD:main");
                    });
        }
    }

    Measurement cliPull() throws Exception {
        Path dir = Files.createTempDirectory(ctx.scratch(), "git-pull");
        Path remote = dir.resolve("remote.git");
        Path writer = dir.resolve("writer");
        Path reader = dir.resolve("reader");
        GitCli.seed(remote, writer);
        GitCli.run(dir, "clone", "-q", remote.toString(), reader.toString());
        Stats stats = new Stats();
        int runs = ctx.scaled(100);
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            Files.writeString(writer.resolve("n" + i + ".md"), "x" + i);
            GitCli.run(writer, "add", "-A");
            GitCli.run(writer, "commit", "-q", "-m", "n" + i);
            GitCli.run(writer, "push", "-q", "origin", "HEAD:main");
            long t0 = System.nanoTime();
            GitCli.run(reader, "pull", "-q", "--ff-only", "origin", "main");
            stats.record(System.nanoTime() - t0);
        }
        return Measurement.of("git CLI pull of one new commit", stats, runs, System.nanoTime() - start);
    }
}
