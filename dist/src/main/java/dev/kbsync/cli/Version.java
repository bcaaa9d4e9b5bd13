package dev.kbsync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code kbsync --version}: the version Maven built (a filtered resource), and the Java running it. */
final class Version implements IVersionProvider {
    static final String RESOURCE = "/dev/kbsync/cli/version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "kbsync " + of(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }

    /** The project version this jar was built as, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String of() {
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the build");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
