package dev.kbsync.testing;

import org.awaitility.Awaitility;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Turns off Awaitility's default of failing whichever test is awaiting with an exception any thread of the JVM left
 * uncaught: unit test classes run side by side in one JVM, and such a thread is as likely another class's (a Vert.x
 * closed under a write still in flight) as the awaiting test's own. A test's own failures reach it through its
 * futures and assertions; a stray thread's exception is printed, not charged to a bystander. Registered for every test
 * JVM that has this module on its class path ({@code META-INF/services}).
 */
public final class OwnThreadsAwait implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }
}
