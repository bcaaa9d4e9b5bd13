package dev.kbsync.coordinator.engine.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.redisson.api.RScript;

/**
 * The engine's Lua scripts (resources next to this class); each touches the keys of one hash slot only. Scripts that
 * grant get {@code lib.lua} (the grant step and the KB's RFairLock) prepended.
 */
public enum Script {
    ENQUEUE("enqueue.lua", RScript.Mode.READ_WRITE, true),
    HEAD("head.lua", RScript.Mode.READ_ONLY),
    GRANT("grant.lua", RScript.Mode.READ_WRITE, true),
    CLAIM("claim.lua", RScript.Mode.READ_WRITE),
    HEARTBEAT("heartbeat.lua", RScript.Mode.READ_WRITE),
    RELEASE("release.lua", RScript.Mode.READ_WRITE, true),
    EXTEND("extend.lua", RScript.Mode.READ_WRITE),
    SWEEP("sweep.lua", RScript.Mode.READ_WRITE),
    DRIVE("drive.lua", RScript.Mode.READ_WRITE),
    UNDRIVE("undrive.lua", RScript.Mode.READ_WRITE),
    VIEW("view.lua", RScript.Mode.READ_ONLY),
    TICKET("ticket.lua", RScript.Mode.READ_ONLY),
    JOB_REQUEUE("job-requeue.lua", RScript.Mode.READ_WRITE);

    private final String text;
    private final RScript.Mode mode;

    Script(String resource, RScript.Mode mode) {
        this(resource, mode, false);
    }

    Script(String resource, RScript.Mode mode, boolean grants) {
        this.text = grants ? load("lib.lua") + load(resource) : load(resource);
        this.mode = mode;
    }

    public String text() {
        return text;
    }

    public RScript.Mode mode() {
        return mode;
    }

    private static String load(String resource) {
        try (InputStream in = Script.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
