package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.KbConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KBs a coordinator's degraded mode knows, kept in {@code kbs.json} in the journal's directory so that a
 * coordinator started while Redis is unreachable accepts the notes of KBs registered before, not only of its
 * configured ones. Written whole (fsynced, then moved into place) whenever the set changes; a file that cannot be read
 * (torn, corrupt) is logged and read as empty, an entry that cannot be read is skipped. Blocking: call it off the
 * event loop.
 */
final class KnownKbs {
    static final String FILE = "kbs.json";
    private static final Logger LOG = LoggerFactory.getLogger(KnownKbs.class);

    private KnownKbs() {}

    /** The KBs the file in {@code dir} names; none when there is no file or it cannot be read. */
    static List<KbConfig> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonArray kbs;
        try {
            kbs = new JsonObject(Files.readString(file, StandardCharsets.UTF_8)).getJsonArray("kbs", new JsonArray());
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "{} cannot be read ({}): only the configured KBs are known until Redis answers; it is written anew",
                    file,
                    e.toString());
            return List.of();
        }
        List<KbConfig> found = new ArrayList<>();
        for (int i = 0; i < kbs.size(); i++) {
            try {
                found.add(KbConfig.fromJson(kbs.getJsonObject(i)));
            } catch (RuntimeException e) {
                LOG.warn("{}: entry {} skipped ({})", file, i, e.toString());
            }
        }
        return found;
    }

    /** Replaces the file in {@code dir} with {@code kbs}: written next to it, fsynced, moved into place. */
    static void write(Path dir, Collection<KbConfig> kbs) throws IOException {
        JsonArray all = new JsonArray();
        kbs.forEach(kb -> all.add(kb.toJson()));
        DurableFiles.replace(dir.resolve(FILE), new JsonObject().put("kbs", all).encode());
    }
}
