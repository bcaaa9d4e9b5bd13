package dev.kbsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU seconds (user + system) from {@code /proc} (Linux, 100 ticks per second): of a process so far, with the children
 * it reaped, of this JVM's descendants by command line, of a process's threads by name, and the machine's jiffies.
 */
final class ProcessCpu {
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {}

    static double seconds(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), false) / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CPU seconds of this JVM. */
    static double self() {
        return seconds(ProcessHandle.current().pid());
    }

    /**
     * CPU seconds, with the children each reaped, of this JVM's descendants whose command line matches: a process tree
     * such as the git daemon, which forks a child per connection.
     */
    static double tree(Predicate<String> commandLine) {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> commandLine.test(cmdline(p.pid())))
                .mapToDouble(p -> withChildren(p.pid()))
                .sum();
    }

    /**
     * CPU seconds of the process's threads whose name matches (at least: a thread that ended took its time along),
     * from {@code /proc/<pid>/task/<tid>/stat}.
     */
    static double threads(long pid, Predicate<String> name) {
        try (Stream<Path> list = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            double sum = 0;
            for (Path task : list.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    if (name.test(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) {
                        sum += ticks(stat, false) / TICKS_PER_SECOND;
                    }
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
            return sum;
        } catch (IOException gone) {
            return 0;
        }
    }

    /** HotSpot's JIT compiler threads ({@code C1 CompilerThread0}, {@code C2 CompilerThread0}, ...). */
    static boolean jit(String thread) {
        return thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler");
    }

    /** HotSpot's garbage collector threads (G1's and the parallel workers). */
    static boolean gc(String thread) {
        return thread.startsWith("GC Thread") || thread.startsWith("G1 ");
    }

    /** Busy and all jiffies of the whole machine so far ({@code /proc/stat}). */
    static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            long all = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                all += Long.parseLong(f[i]);
            }
            return new long[] {all - idle, all};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double withChildren(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), true) / TICKS_PER_SECOND;
        } catch (IOException gone) {
            return 0;
        }
    }

    /** utime + stime (and cutime + cstime): fields 14-17 of a stat line, 11-14 after the command name and state. */
    private static long ticks(String stat, boolean children) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return children ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own;
    }

    private static String cmdline(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }
}
