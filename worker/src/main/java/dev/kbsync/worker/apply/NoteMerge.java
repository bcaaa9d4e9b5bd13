package dev.kbsync.worker.apply;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeChunk;
import org.eclipse.jgit.merge.MergeResult;

/**
 * The three-way merge of a note written to an explicit path with what the branch did to that file since the note was
 * submitted ({@code base}: the file then, {@code theirs}: now, {@code ours}: what the note writes; absent = no file).
 * Edits that do not overlap are merged. Where both sides only added lines at the same place (two notes creating the
 * same file, or appending to it) both texts are kept, the branch's first (it landed first), then the note's. Where
 * both sides changed or deleted the same lines, the result is a conflict.
 */
final class NoteMerge {
    private static final DiffAlgorithm DIFF = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM);

    private NoteMerge() {}

    /** The merged content, or empty when both sides edited the same lines. */
    static Optional<String> merge(Optional<String> base, String ours, Optional<String> theirs) {
        RawText b = text(base.orElse(""));
        RawText o = text(ours);
        RawText t = text(theirs.orElse(""));
        MergeResult<RawText> result = new MergeAlgorithm(DIFF).merge(RawTextComparator.DEFAULT, b, o, t);
        if (result.containsConflicts() && !(onlyInsertions(b, o) && onlyInsertions(b, t))) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        String heldOurs = null;
        for (MergeChunk chunk : result) {
            RawText sequence = result.getSequences().get(chunk.getSequenceIndex());
            String lines = chunk.getBegin() < chunk.getEnd()
                    ? sequence.getString(chunk.getBegin(), chunk.getEnd(), false)
                    : "";
            switch (chunk.getConflictState()) {
                case NO_CONFLICT -> append(out, lines);
                case FIRST_CONFLICTING_RANGE -> heldOurs = lines;
                case BASE_CONFLICTING_RANGE -> {
                    // both sides only inserted here: the base range is empty
                }
                case NEXT_CONFLICTING_RANGE -> {
                    append(out, lines);
                    if (heldOurs != null && !heldOurs.isEmpty()) {
                        if (!lines.isEmpty()) { // a blank line between the two texts
                            if (!out.toString().endsWith("\n")) {
                                out.append('\n');
                            }
                            if (!out.toString().endsWith("\n\n")) {
                                out.append('\n');
                            }
                        }
                        append(out, heldOurs);
                    }
                    heldOurs = null;
                }
            }
        }
        return Optional.of(out.toString());
    }

    private static boolean onlyInsertions(RawText base, RawText side) {
        EditList edits = DIFF.diff(RawTextComparator.DEFAULT, base, side);
        return edits.stream().allMatch(e -> e.getType() == Edit.Type.INSERT);
    }

    private static void append(StringBuilder out, String lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
        out.append(lines);
    }

    private static RawText text(String content) {
        return new RawText(content.getBytes(StandardCharsets.UTF_8));
    }
}
