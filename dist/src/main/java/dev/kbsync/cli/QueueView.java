package dev.kbsync.cli;

import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import java.util.List;
import java.util.Locale;

/** Renders queue snapshots as text: the holder, then the waiters in grant order with how long each has waited. */
final class QueueView {
    private QueueView() {}

    static String render(QueueSnapshot snapshot) {
        StringBuilder out = new StringBuilder(snapshot.kb().value());
        out.append(snapshot.holder()
                .map(holder -> "  holder: " + entry(holder) + ", fence " + holder.fencingToken())
                .orElse("  (free)"));
        out.append(String.format(Locale.ROOT, "  avg hold %.1f s%n", snapshot.avgHoldMs() / 1000.0));
        for (QueueEntry running : snapshot.running()) {
            out.append("   + ").append(entry(running)).append(" in the same push");
            out.append(System.lineSeparator());
        }
        List<QueueEntry> waiters = snapshot.waiters();
        for (int i = 0; i < waiters.size(); i++) {
            out.append(String.format(Locale.ROOT, "  %2d. %s%n", i + 1, entry(waiters.get(i))));
        }
        return out.toString();
    }

    private static String entry(QueueEntry e) {
        String what = e.jobId() != null ? "job " + e.jobId() : e.kind() == null ? "lease" : e.kind();
        return String.format(Locale.ROOT, "%s (%s, %.1f s)", e.holder(), what, e.waitedMs() / 1000.0);
    }
}
