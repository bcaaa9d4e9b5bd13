package dev.kbsync.cli.stack;

import dev.kbsync.git.Author;
import dev.kbsync.git.CommitResult;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.PushResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/** The demo KB's "remote": a local bare repository with a README on {@code main}, created once. */
final class DemoRemote {
    private DemoRemote() {}

    static Path ensure(Path bare, Path scratch) {
        if (Files.isDirectory(bare.resolve("refs"))) {
            return bare;
        }
        try {
            Files.createDirectories(bare);
            try (Git git = Git.init()
                    .setBare(true)
                    .setInitialBranch("main")
                    .setDirectory(bare.toFile())
                    .call()) {
                git.getRepository().getConfig().setBoolean("receive", null, "denyNonFastForwards", true);
                git.getRepository().getConfig().save();
            }
            seed(bare, Files.createTempDirectory(Files.createDirectories(scratch), "seed"));
            return bare;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo KB at " + bare, e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot create the demo KB at " + bare + ": " + e.getMessage(), e);
        }
    }

    private static void seed(Path bare, Path checkout) throws IOException {
        try (KbRepository repo = KbRepository.cloneOrOpen(bare.toString(), "main", checkout, GitAuth.NONE)) {
            Files.writeString(
                    checkout.resolve("README.md"),
                    "# demo KB\n\nNotes written through kbsync land here, one commit per note.\n");
            if (!(repo.commit("Create the demo KB", new Author("kbsync", "kbsync@localhost"), Map.of())
                    instanceof CommitResult.Committed)) {
                throw new IllegalStateException("nothing to commit in the demo KB seed");
            }
            PushResult pushed = repo.push();
            if (!(pushed instanceof PushResult.Pushed)) {
                throw new IllegalStateException("cannot seed the demo KB: " + pushed.message());
            }
        }
    }
}
