package dev.kbsync.api;

import org.awaitility.Awaitility;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * This module's unit test classes run side by side in one JVM: an exception a stray thread leaves uncaught (another
 * class's Vert.x closed under work in flight) must not fail whichever test happens to be awaiting, as Awaitility's
 * default would. The later modules get the same from {@code dev.kbsync.testing.OwnThreadsAwait}; this module builds
 * before that one, so that it need not wait for it.
 */
public final class OwnThreadsAwait implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }
}
