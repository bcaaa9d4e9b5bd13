package dev.kbsync.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a {@code redis-server} child never outlive the JVM that started it, whichever way the JVM ends ({@code kill -9}
 * included; Java cannot set {@code PR_SET_PDEATHSIG}). The child is started as {@code sh -c SCRIPT redis-server
 * args...}: the shell keeps its stdin (a pipe whose only writer is this JVM) as fd 3, forks a watchdog subshell that
 * blocks reading it, and then {@code exec}s redis-server in its own place, so the JVM's {@link Process} <em>is</em>
 * the Redis process (same pid). The pipe reaches end-of-file when the JVM dies or closes it; the watchdog then sends
 * SIGTERM (Redis' graceful shutdown: the append-only file is flushed and fsynced) to its parent, but only while that
 * parent is still the Redis it was forked for (its parent pid, from {@code /proc/self/stat}, is still {@code $$}: a
 * dead parent's pid could have been reused). When Redis exits first, the JVM closes the pipe and the watchdog exits.
 *
 * <p>With {@code setsid} on {@code PATH} the child runs in a session of its own, so the terminal's Ctrl-C (SIGINT to
 * the whole foreground process group) reaches only the JVM, which then stops its workers before Redis. Without it,
 * Ctrl-C also shuts Redis down at once (gracefully; nothing acknowledged is lost either way).
 */
final class Watchdog {
    static final String SCRIPT = String.join(
            "\n",
            "exec 3<&0 0</dev/null",
            "( read _ <&3",
            "  read -r _ _ _ parent _ 2>/dev/null </proc/self/stat || parent=$$",
            "  [ \"$parent\" = \"$$\" ] && kill -TERM $$ ) &",
            "exec \"$0\" \"$@\" 3<&-");

    private Watchdog() {}

    /** The command that runs {@code redis} (binary and arguments) under the watchdog. */
    static List<String> wrap(List<String> redis) {
        List<String> command = new ArrayList<>();
        RedisBinary.onPath(System.getenv().getOrDefault("PATH", ""), "setsid")
                .ifPresent(setsid -> command.add(setsid.toString()));
        command.addAll(List.of("sh", "-c", SCRIPT));
        command.addAll(redis);
        return command;
    }

    /** Closes the watchdog's pipe as soon as the started {@code redis} has exited, so that the watchdog exits too. */
    static void releaseOnExit(Process redis) {
        redis.onExit().thenRun(() -> {
            try {
                redis.getOutputStream().close();
            } catch (IOException ignored) {
                // the pipe is closed either way
            }
        });
    }
}
