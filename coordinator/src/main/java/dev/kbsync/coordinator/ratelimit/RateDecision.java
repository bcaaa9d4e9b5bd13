package dev.kbsync.coordinator.ratelimit;

import java.time.Duration;

/** The limiter's answer: allowed (with what is left in the window) or limited (with when to retry). */
public sealed interface RateDecision {
    int remaining();

    record Allowed(int remaining) implements RateDecision {}

    record Limited(int remaining, Duration retryAfter) implements RateDecision {}
}
