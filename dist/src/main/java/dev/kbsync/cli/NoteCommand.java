package dev.kbsync.cli;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
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
    Job submit(KbsyncClient api, KbId kb) {
        return api.submitNote(
                kb, NoteRequest.of(user, text).withTitle(title).withPath(path).withIdempotencyKey(idempotencyKey));
    }
}
