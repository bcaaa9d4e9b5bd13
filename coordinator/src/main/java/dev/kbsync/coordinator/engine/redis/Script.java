package dev.kbsync.coordinator.engine.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.redisson.api.RScript;

/**
 * The engine's per-KB Lua scripts (resources next to this class), each with what it uses of {@code lib.lua} prepended: every key they
 * touch is declared ({@link KbKeys#all()}, then a step's own keys in the KB's slot, if any), replies are JSON. Durable scripts create jobs or grants (or hand them
 * out): their writes are confirmed by replicas before the caller gets the answer (see {@link Redis}).
 */
public enum Script {
    /** A raw lease request: the KB's registration checked, then the ticket queued, at once. */
    ENQUEUE(RScript.Mode.READ_WRITE, true, "request.lua", "enqueue.lua"),
    /** A submit: its checks (KB, rate windows, idempotency or duplicate), then {@code ENQUEUE}'s step, at once. */
    SUBMIT(RScript.Mode.READ_WRITE, true, "submit.lua", "enqueue.lua"),
    HEAD("head.lua", RScript.Mode.READ_ONLY, false),
    GRANT("grant.lua", RScript.Mode.READ_WRITE, true),
    CLAIM("claim.lua", RScript.Mode.READ_WRITE, true),
    UNRESERVE("unreserve.lua", RScript.Mode.READ_WRITE, false),
    /** Takes back a claim whose poll was answered 503 REPLICATION_TIMEOUT (its worker never learned of it). */
    UNCLAIM("unclaim.lua", RScript.Mode.READ_WRITE, false),
    HEARTBEAT("heartbeat.lua", RScript.Mode.READ_WRITE, false),
    /** {@code HEARTBEAT} for many leases of a KB at once, without reading them back (open event streams). */
    KEEP_ALIVE("keepalive.lua", RScript.Mode.READ_WRITE, false),
    EXTEND("extend.lua", RScript.Mode.READ_WRITE, true),
    /** Gives back the notes of an {@code EXTEND} answered 503 REPLICATION_TIMEOUT (its worker never learned of them). */
    UNEXTEND("unextend.lua", RScript.Mode.READ_WRITE, false),
    COMPLETE("complete.lua", RScript.Mode.READ_WRITE, true),
    CANCEL("cancel.lua", RScript.Mode.READ_WRITE, true),
    RELEASE("release.lua", RScript.Mode.READ_WRITE, true),
    SWEEP("sweep.lua", RScript.Mode.READ_WRITE, false),
    DRIVE("drive.lua", RScript.Mode.READ_WRITE, false),
    UNDRIVE("undrive.lua", RScript.Mode.READ_WRITE, false),
    VIEW("view.lua", RScript.Mode.READ_ONLY, false),
    TICKET("ticket.lua", RScript.Mode.READ_ONLY, false),
    JOB("job.lua", RScript.Mode.READ_ONLY, false),
    RECENT("recent.lua", RScript.Mode.READ_ONLY, false),
    LIST("list.lua", RScript.Mode.READ_ONLY, false),
    HOOKS("hooks.lua", RScript.Mode.READ_WRITE, false),
    HOOK_DONE("hookdone.lua", RScript.Mode.READ_WRITE, false),
    FENCE("fence.lua", RScript.Mode.READ_WRITE, true),
    /** Keeps a journal job's id as a name of the job it was restored onto, as long as that job's record. */
    RESTORED_AS("restoredas.lua", RScript.Mode.READ_WRITE, true),
    /** Removes an idle KB (its registration in its slot and every key of its own), keeping its finished records. */
    REMOVE("remove.lua", RScript.Mode.READ_WRITE, true);

    private final String text;
    private final RScript.Mode mode;
    private final boolean durable;

    Script(String resource, RScript.Mode mode, boolean durable) {
        this(mode, durable, resource);
    }

    /** What {@code lib.lua} defines that they use ({@link ScriptLibrary}), then {@code resources} in order, as one script. */
    Script(RScript.Mode mode, boolean durable, String... resources) {
        StringBuilder body = new StringBuilder();
        for (String resource : resources) {
            body.append(load(resource));
        }
        this.text = Library.LIB.around(body.toString());
        this.mode = mode;
        this.durable = durable;
    }

    public String text() {
        return text;
    }

    /** {@code body}, a script of another part of the engine, with what it uses of {@code lib.lua} before it. */
    public static String withLibrary(String body) {
        return Library.LIB.around(body);
    }

    public RScript.Mode mode() {
        return mode;
    }

    /** Whether replicas must confirm its writes before the answer. */
    public boolean durable() {
        return durable;
    }

    /** The library, read once (an enum's own static fields are not set yet while its constants are built). */
    private static final class Library {
        static final ScriptLibrary LIB = ScriptLibrary.parse(load("lib.lua"));
    }

    static String load(String resource) {
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
