package dev.kbsync.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs a class's {@code main} in a child JVM on this test JVM's class path, for tests that need
 * a real process (kill -9, SIGSTOP, an exit code). Children run as the test JVMs do (the build's {@code argLine}): the
 * client compiler only and the serial collector. A {@code kbsync up} child used 5.7-6.0 CPU seconds over its first 20 s
 * that way, against 10.2 with the default JIT and collector, and was up in 2.8 s instead of 3.8: the suite's modules
 * share 2 cores.
 */
public final class ChildJvm {
    /** The JVM options every child gets before the caller's own. */
    public static final List<String> FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private ChildJvm() {}

    /** {@code java FLAGS options -cp <this JVM's class path> mainClass args}. */
    public static List<String> command(List<String> options, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(FLAGS);
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return command;
    }
}
