package dev.kbsync.worker.apply;

import dev.kbsync.api.JobPayload;
import java.time.Instant;

/** The markdown of a note: YAML front matter (title, author, created), a blank line, the user's text. */
final class NoteText {
    private static final int TITLE_MAX = 80;

    private NoteText() {}

    /** The given title, else the text's first non-blank line without markdown heading marks, shortened. */
    static String title(JobPayload.Note note) {
        String source = note.title() != null && !note.title().isBlank() ? note.title() : firstLine(note.text());
        // one line with no control character (a title derived from the text may carry ESC, BEL...: not into a commit)
        String oneLine =
                source.replaceAll("\\p{Cc}+", " ").replaceAll(" {2,}", " ").strip();
        if (oneLine.length() > TITLE_MAX) {
            oneLine = oneLine.substring(0, TITLE_MAX).strip() + "...";
        }
        return oneLine.isEmpty() ? "Note" : oneLine;
    }

    static String markdown(String title, String author, Instant created, String text) {
        return "---\n"
                + "title: " + yamlString(title) + "\n"
                + "author: " + yamlString(author) + "\n"
                + "created: " + created + "\n"
                + "---\n\n"
                + text.strip() + "\n";
    }

    private static String firstLine(String text) {
        return text.lines()
                .map(line -> line.replaceFirst("^\\s*#+\\s*", "").strip())
                .filter(line -> !line.isEmpty())
                .findFirst()
                .orElse("");
    }

    private static String yamlString(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
