package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldDescribeWaitingWithAheadAndEta() {
        JsonObject job = new JsonObject().put("state", "queued").put("ahead", 3).put("etaMs", 39_100);
        assertThat(Progress.describe(job)).isEqualTo("waiting: 3 ahead, ~40 s");
    }

    @Test
    void shouldPrintOneLinePerChangeWhenNotATerminal() {
        Progress progress = new Progress(out, false);
        progress.show(new JsonObject().put("state", "queued").put("ahead", 2).put("etaMs", 0));
        progress.show(new JsonObject().put("state", "queued").put("ahead", 2).put("etaMs", 0));
        progress.show(new JsonObject().put("state", "running").put("fencingToken", 7));
        assertThat(text()).isEqualTo("waiting: 2 ahead, ~<1 s\nrunning (fencing token 7)\n");
    }

    @Test
    void shouldRewriteTheLineInPlaceOnATerminal() {
        Progress progress = new Progress(out, true);
        progress.show(new JsonObject().put("state", "queued").put("ahead", 1).put("etaMs", 0));
        assertThat(text()).startsWith("\r\033[K").doesNotContain("\n");
    }

    @Test
    void shouldListChangedFilesWithLinksWhenDone() {
        JsonObject file = new JsonObject()
                .put("path", "notes/a.md")
                .put("change", "created")
                .put("url", "https://github.com/u/r/blob/main/notes/a.md");
        JsonObject job =
                new JsonObject().put("state", "done").put("commit", "abc123").put("files", new JsonArray().add(file));
        assertThat(new Progress(out, false).finish(job)).isEqualTo(ExitCodes.OK);
        assertThat(text())
                .contains("done: commit abc123")
                .contains("created notes/a.md  https://github.com/u/r/blob/main/notes/a.md");
    }

    @Test
    void shouldExitNonZeroWithTheErrorCodeWhenFailed() {
        JsonObject job = new JsonObject()
                .put("state", "failed")
                .put("error", new JsonObject().put("code", "MERGE_CONFLICT").put("message", "resolve manually"));
        assertThat(new Progress(out, false).finish(job)).isEqualTo(ExitCodes.JOB_FAILED);
        assertThat(text()).contains("failed: MERGE_CONFLICT: resolve manually");
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
