package dev.kbsync.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kbsync note --kb team --user alice "text"}. */
@Command(
        name = "note",
        mixinStandardHelpOptions = true,
        description = "Write a note into a KB and wait for it to land.")
final class NoteCommand extends SubmitCommand {
    @Parameters(index = "0", description = "The note's text (markdown).")
    String text;

    @Option(names = "--title", description = "Title (default: derived from the text).")
    String title;

    @Option(names = "--path", description = "Path inside the KB (default: derived from the title).")
    String path;

    @Override
    String endpoint() {
        return "notes";
    }

    @Override
    JsonObject body() {
        JsonObject body = new JsonObject().put("user", user).put("text", text);
        if (title != null) {
            body.put("title", title);
        }
        if (path != null) {
            body.put("path", path);
        }
        return body;
    }
}
