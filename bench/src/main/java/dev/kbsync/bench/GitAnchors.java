package dev.kbsync.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** git CLI anchor of scenario 5: the original pull-commit-push model, one note at a time, over a delaying network. */
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
}
