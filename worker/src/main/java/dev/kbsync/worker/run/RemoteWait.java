package dev.kbsync.worker.run;

import dev.kbsync.api.Activity;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A wait for a remote that cannot be reached for now ({@link WorkUnit#pauseForRemote}): unreachable since {@code since}
 * (this wait's first failed try), {@code tries} failed tries so far, the next one after {@code pause}.
 */
public record RemoteWait(Instant since, int tries, Duration pause) {
    private static final String HEAD = "waiting for ";
    private static final String TO_ANSWER = " to answer";

    /**
     * What a unit waiting for {@code remote} (its credentials masked already) says it is doing: "waiting for
     * &lt;remote&gt; to answer: unreachable since &lt;UTC time&gt;, &lt;n&gt; tries, next in &lt;s&gt; s", within
     * {@link Activity#MAX_LENGTH} (a long remote is cut, never the numbers).
     */
    public String says(String remote) {
        long seconds = Math.max(1, Math.round(pause.toMillis() / 1000.0));
        String tail = ": unreachable since " + since.truncatedTo(ChronoUnit.SECONDS) + ", " + tries
                + (tries == 1 ? " try" : " tries") + ", next in " + seconds + " s";
        int room = Activity.MAX_LENGTH - HEAD.length() - TO_ANSWER.length() - tail.length();
        String shown = remote.length() <= room ? remote : remote.substring(0, room - 1) + "…";
        return HEAD + shown + TO_ANSWER + tail;
    }
}
