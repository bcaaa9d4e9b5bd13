package dev.kbsync.worker.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The disk that holds the worker's cache dir: its free space, as the checkouts there can use it. */
public final class CacheDisk {
    private final Path dir;

    public CacheDisk(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /**
     * Bytes free for this process on the file system of the cache dir (or of its nearest existing parent, before the
     * first checkout), or -1 when it cannot be read.
     */
    public long freeBytes() {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                try {
                    return Files.getFileStore(p).getUsableSpace();
                } catch (IOException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** {@code bytes} for people: {@code 512 B}, {@code 3.2 MiB}, {@code 41.0 GiB}; {@code unknown} below 0. */
    public static String size(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** "{@code <dir>} has {@code <free>} free". */
    public String describe() {
        return dir + " has " + size(freeBytes()) + " free";
    }
}
