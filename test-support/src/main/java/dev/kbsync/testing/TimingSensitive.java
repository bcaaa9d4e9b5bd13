package dev.kbsync.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that asserts how soon something happens (service resumes after a fault, an answer comes within a
 * bound), so that CPU contention from other tests must not decide it. The coordinator's such classes live in the
 * {@code coordinator-faults} module, which runs beside the worker's tests and before the last modules' (docs/testing.md).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(TimingSensitive.TAG)
public @interface TimingSensitive {
    /** The JUnit tag, for failsafe's {@code groups} and {@code excludedGroups}. */
    String TAG = "timing-sensitive";
}
