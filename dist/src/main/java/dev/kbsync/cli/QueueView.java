package dev.kbsync.cli;

import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import java.util.List;
import java.util.Locale;

/**
 * Renders queue snapshots as text: the holder, then the waiters in grant order with how long each has waited and its
 * estimated wait (the band a job's {@code kbsync note} shows). A value the snapshot lacks is left out, never "null".
 */
final class QueueView {
    private QueueView() {}

    static String render(QueueSnapshot snapshot) {
        StringBuilder out = new StringBuilder(snapshot.kb().value());
        out.append(snapshot.holder()
                .map(holder -> "  holder: " + entry(holder)
                        + (holder.fencingToken() == null ? "" : ", fence " + holder.fencingToken()))
                .orElse("  (free)"));
        out.append(String.format(Locale.ROOT, "  avg hold %.1f s%n", snapshot.avgHoldMs() / 1000.0));
        for (QueueEntry running : snapshot.running()) {
            out.append("   + ").append(entry(running)).append(" in the same push");
            out.append(System.lineSeparator());
        }
        List<QueueEntry> waiters = snapshot.waiters();
        for (int i = 0; i < waiters.size(); i++) {
            QueueEntry w = waiters.get(i);
            String eta =
                    w.etaMs() == null ? "" : ", ~" + Progress.band(w.etaMs(), w.etaP90Ms() == null ? 0 : w.etaP90Ms());
            out.append(String.format(Locale.ROOT, "  %2d. %s%s%n", i + 1, entry(w), eta));
        }
        return out.toString();
    }

    private static String entry(QueueEntry e) {
        String what = e.jobId() != null ? "job " + e.jobId() : e.kind() == null ? "lease" : e.kind();
        String who = e.holder() == null ? "" : e.holder() + " ";
        return String.format(Locale.ROOT, "%s(%s, %.1f s)", who, what, e.waitedMs() / 1000.0);
    }
}
