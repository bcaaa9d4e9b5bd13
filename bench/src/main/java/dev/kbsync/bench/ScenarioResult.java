package dev.kbsync.bench;

import java.util.List;

/** A scenario's measurements (kbsync and anchors) and the target checks computed from them. */
record ScenarioResult(String id, String title, List<Measurement> rows, List<Check> checks) {
    ScenarioResult {
        rows = List.copyOf(rows);
        checks = List.copyOf(checks);
    }

    String summary() {
        StringBuilder out = new StringBuilder();
        for (Check c : checks) {
            out.append(c.kbsync().subject()).append(": ").append(c.verdict()).append("; ");
        }
        return out.toString().trim();
    }
}
