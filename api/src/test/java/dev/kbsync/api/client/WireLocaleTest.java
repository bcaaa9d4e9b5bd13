package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.Worker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The wire's enum names read and written the same in every default locale: in Turkish, {@code "running"} upper-cased
 * by the default locale is {@code RUNNİNG} (dotted capital I) and {@code FAILED} lower-cased {@code faıled} (dotless
 * i), so a JVM started with {@code -Duser.language=tr} could read no running or failed job.
 */
@Isolated // changes the JVM's default locale
class WireLocaleTest {
    private Locale before;

    @BeforeEach
    void turkish() {
        before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    }

    @AfterEach
    void restore() {
        Locale.setDefault(before);
    }

    @Test
    void shouldReadRunningAndFailedJobsAndAnEditedFileFromACoordinator() throws Exception {
        JsonObject failed = Samples.job("j2", "failed")
                .put("kind", "agent")
                .put("payload", new JsonObject().put("task", "tidy"))
                .put(
                        "files",
                        new JsonArray().add(new JsonObject().put("path", "a.md").put("change", "edited")))
                .put("error", new JsonObject().put("code", "AGENT_FAILED").put("message", "exit 1"));
        try (FakeCoordinator server = new FakeCoordinator()) {
            server.answer("/v1/jobs/j1", 200, Samples.job("j1", "running").encode());
            server.answer("/v1/jobs/j2", 200, failed.encode());
            try (KbsyncClient client = server.client()) {
                assertThat(client.job("j1").state()).isEqualTo(JobState.RUNNING);

                Job job = client.job("j2");
                assertThat(job.state()).isEqualTo(JobState.FAILED);
                assertThat(job.kind()).isEqualTo(JobKind.AGENT);
                assertThat(job.files()).extracting(FileChange::change).containsExactly(FileChange.Change.EDITED);
            }
        }
    }

    @Test
    void shouldWriteTheWiresNames() {
        assertThat(JobState.RUNNING.wire()).isEqualTo("running");
        assertThat(JobState.FAILED.wire()).isEqualTo("failed");
        assertThat(JobState.fromWire("failed")).isEqualTo(JobState.FAILED);
        assertThat(JobKind.fromWire("agent")).isEqualTo(JobKind.AGENT);
        assertThat(Worker.State.UP.wire()).isEqualTo("up");
        JobOutcome done =
                new JobOutcome.Done("l1", "c0ffee", List.of(new FileChange("a.md", FileChange.Change.EDITED, null)), 0);
        assertThat(done.toJson().getJsonArray("files").getJsonObject(0).getString("change"))
                .isEqualTo("edited");
    }
}
