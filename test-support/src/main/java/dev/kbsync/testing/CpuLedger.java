package dev.kbsync.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Where a test run's CPU goes, class by class: with {@code KBSYNC_TEST_CPU=<dir>} in the environment (test JVMs
 * inherit it from Maven), each test JVM appends one line per top-level test class to {@code <dir>/<pid>.tsv}: the
 * module's directory, the class, its wall seconds, the CPU seconds of this JVM and of the child processes it waited
 * for (a child JVM, {@code git}) while the class ran. A test JVM runs one class at a time, so the figures are the
 * class's own; Redis in containers and Docker's daemons are not counted. Without the variable it does nothing.
 */
public final class CpuLedger implements TestExecutionListener {
    private static final String VARIABLE = "KBSYNC_TEST_CPU";

    private final Path file;
    private final Map<String, long[]> started = new ConcurrentHashMap<>();

    public CpuLedger() {
        String dir = System.getenv(VARIABLE);
        this.file = dir == null || dir.isBlank()
                ? null
                : Path.of(dir).resolve(ProcessHandle.current().pid() + ".tsv");
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        if (file != null && isClass(test)) {
            started.put(test.getUniqueId(), new long[] {System.nanoTime(), ownCpuNanos(), childCpuNanos()});
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        long[] start = file == null ? null : started.remove(test.getUniqueId());
        if (start == null) {
            return;
        }
        String line = String.format(
                Locale.ROOT,
                "%s\t%s\t%.1f\t%.1f\t%.1f%n",
                Path.of("").toAbsolutePath().getFileName(),
                ((ClassSource) test.getSource().orElseThrow()).getClassName(),
                (System.nanoTime() - start[0]) / 1e9,
                (ownCpuNanos() - start[1]) / 1e9,
                (childCpuNanos() - start[2]) / 1e9);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // a measuring aid: never fails a test
        }
    }

    private static boolean isClass(TestIdentifier test) {
        return test.isContainer()
                && test.getSource().filter(ClassSource.class::isInstance).isPresent()
                && test.getParentId()
                        .filter(id -> id.endsWith("]") && !id.contains("/[class:"))
                        .isPresent();
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The CPU of this JVM's children that it waited for ({@code cutime + cstime} in {@code /proc/self/stat}). */
    private static long childCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
