package dev.kbsync.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * kbsync's version, from the build (the {@code kbsync-version.properties} resource Maven fills in): what
 * {@code kbsync --version} prints and what workers report in their presence.
 */
public final class Version {
    private static final String CURRENT = load();

    private Version() {}

    /** E.g. {@code 0.1.0} or {@code 0.2.0-SNAPSHOT}; {@code unknown} outside a Maven build. */
    public static String current() {
        return CURRENT;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("kbsync-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
