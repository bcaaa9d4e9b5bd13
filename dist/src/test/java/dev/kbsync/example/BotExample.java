package dev.kbsync.example;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.event.JobEvent;
import java.net.URI;
import java.time.Duration;

/**
 * The bot example of docs/api.md ("Java client"), kept compiling and running: {@code EmbeddedStackIT} runs it against
 * a real stack, {@link BotExampleTest} checks that the page shows exactly this code.
 */
public final class BotExample {
    private BotExample() {}

    /**
     * Writes a note to the {@code demo} KB for the chat message {@code messageId} (a retry with the same id returns
     * the same job), prints its progress, and returns the finished job.
     */
    public static Job writeNote(URI url, String token, String messageId) {
        // docs/api.md: begin
        try (KbsyncClient kbsync = KbsyncClient.create(ClientOptions.of(url, token))) {
            NoteRequest note = NoteRequest.of("alice", "Standup moved to 9:30").withTitle("Standup");
            Job job = kbsync.submitNote(KbId.of("demo"), note.withIdempotencyKey(messageId));
            try (EventStream<JobEvent> events = kbsync.jobEvents(job.id())) {
                for (JobEvent e : events) { // the state, then each change until the job finished
                    System.out.println(e.job().state().wire() + ", " + e.job().ahead() + " ahead");
                }
            }
            return kbsync.awaitJob(job.id(), Duration.ofMinutes(2)); // done or failed, with commit and files
        } catch (KbsyncException.RateLimited e) {
            throw new IllegalStateException("retry in " + e.retryAfter().orElse(Duration.ofMinutes(1)), e);
        }
        // docs/api.md: end
    }
}
