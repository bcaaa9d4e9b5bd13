package dev.kbsync.faults.nemesis;

import dev.kbsync.faults.client.Pause;
import dev.kbsync.faults.cluster.Git;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A remote that refuses every push for 2-4 s: the run's remotes are served by {@code git daemon}, and the KB's
 * {@code pre-receive} hook exits 1 while a flag file exists. Workers land the job after the remote accepts pushes
 * again, or fail it explicitly; never twice.
 */
public final class RemoteRejects implements Nemesis {
    @Override
    public String name() {
        return "a remote refusing pushes (pre-receive hook exits 1) for 2-4 s";
    }

    @Override
    public boolean remotesOverGit() {
        return true;
    }

    @Override
    public void run(Stage stage) {
        stage.sleep(1000);
        while (!stage.stopping()) {
            String kb = stage.kbs().get(stage.random().nextInt(stage.kbs().size()));
            Path flag = flag(stage, kb);
            try {
                Files.writeString(flag, "");
                stage.fault("remote of " + kb + " refuses pushes");
                Pause.millis(stage.between(2000, 4000));
                Files.deleteIfExists(flag);
                stage.healed("remote of " + kb + " accepts pushes");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            stage.sleep(stage.between(1000, 2000));
        }
    }

    @Override
    public void heal(Stage stage) {
        for (String kb : stage.kbs()) {
            try {
                Files.deleteIfExists(flag(stage, kb));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Path flag(Stage stage, String kb) {
        return Git.refuseFlag(stage.cluster().remote(kb));
    }
}
