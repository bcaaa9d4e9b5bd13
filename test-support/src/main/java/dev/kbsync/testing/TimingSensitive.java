package dev.kbsync.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that asserts how soon something happens (service resumes after a fault, an answer comes within a
 * bound). A module may run such classes in their own failsafe execution with fewer JVMs side by side, so that CPU
 * contention from the other tests does not decide them; the others then run with more JVMs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(TimingSensitive.TAG)
public @interface TimingSensitive {
    /** The JUnit tag, for failsafe's {@code groups} and {@code excludedGroups}. */
    String TAG = "timing-sensitive";
}
