package dev.kbsync.worker.run;

import dev.kbsync.git.Secrets;
import java.util.Locale;

/**
 * A job that met a full disk (ENOSPC, or EDQUOT: a quota) fails {@link #CODE}, naming the worker's cache dir and its
 * free space, and the coordinator queues it again while it has attempts left (another worker, or this one once space
 * is freed, lands it). JGit and the applier wrap the JDK's {@code IOException}, so the whole cause chain is searched.
 */
final class DiskFull {
    static final String CODE = "DISK_FULL";

    /** How the JDK words ENOSPC and EDQUOT ({@code strerror}), in exceptions' messages and reasons. */
    private static final String[] TEXTS = {"no space left on device", "disk quota exceeded"};

    private DiskFull() {}

    static boolean causedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (says(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} (an error's message) says the disk is full. */
    static boolean says(String text) {
        String lower = String.valueOf(text).toLowerCase(Locale.ROOT);
        for (String full : TEXTS) {
            if (lower.contains(full)) {
                return true;
            }
        }
        return false;
    }

    /** The job's error message: what is full, how full, and what failed ({@code e}, and its innermost cause). */
    static String message(CacheDisk disk, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String failed = String.valueOf(e.getMessage());
        if (root != e && !failed.contains(String.valueOf(root.getMessage()))) {
            failed += ": " + root.getMessage();
        }
        return Secrets.mask("the worker's cache disk is full: " + disk.describe() + " (" + failed + ")");
    }
}
