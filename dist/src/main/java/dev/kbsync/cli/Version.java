package dev.kbsync.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code kbsync --version}: the version Maven built ({@link dev.kbsync.api.Version}), and the Java running it. */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "kbsync " + of(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }

    /** The project version this jar was built as, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String of() {
        return dev.kbsync.api.Version.current();
    }
}
