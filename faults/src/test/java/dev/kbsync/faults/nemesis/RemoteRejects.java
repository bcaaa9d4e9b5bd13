package dev.kbsync.faults.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A remote that refuses every push for 2-4 s: its branch's ref is locked ({@code refs/heads/main.lock} exists, as while
 * another push updates it), so every ref update is refused; workers retry and land later, or fail the job explicitly.
 */
public final class RemoteRejects implements Nemesis {
    @Override
    public String name() {
        return "a remote refusing pushes (ref locked) for 2-4 s";
    }

    @Override
    public void run(Stage stage) {
        stage.sleep(1000);
        while (!stage.stopping()) {
            String kb = stage.kbs().get(stage.random().nextInt(stage.kbs().size()));
            Path lock = lock(stage, kb);
            try {
                Files.writeString(lock, "");
                stage.fault("remote of " + kb + " refuses pushes");
                dev.kbsync.faults.client.Pause.millis(stage.between(2000, 4000));
                Files.deleteIfExists(lock);
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
                Files.deleteIfExists(lock(stage, kb));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Path lock(Stage stage, String kb) {
        return stage.cluster().remote(kb).resolve("refs/heads/main.lock");
    }
}
