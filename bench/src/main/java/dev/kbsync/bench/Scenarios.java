package dev.kbsync.bench;

import java.util.List;
import java.util.Locale;

/** The scenario table of docs/benchmarks.md; kbsync rows are added as each part lands. */
final class Scenarios {
    private Scenarios() {}

    static List<Scenario> all() {
        return List.of(
                simple(
                        "1",
                        "uncontended grant+release",
                        ctx -> List.of(new LockAnchors(ctx).rawUncontended()),
                        "kbsync HTTP lease <= 2.0x raw p50"),
                simple(
                        "2",
                        "handoff, 16 waiters on one KB",
                        ctx -> List.of(new LockAnchors(ctx).rawHandoff(16), new LockAnchors(ctx).curatorHandoff(16)),
                        "kbsync p50/p99 <= 1.0x raw; grants/s >= Curator"),
                simple(
                        "3",
                        "100 KBs x 16 workers",
                        ctx -> List.of(new LockAnchors(ctx).rawManyKbs(100, 16)),
                        "kbsync grants/s >= 0.9x raw"),
                simple(
                        "6",
                        "git cost per note",
                        ctx -> List.of(new GitAnchors(ctx).cliNoteCycle(), new GitAnchors(ctx).cliPull()),
                        "kbsync per-job git time <= 0.6x git CLI"));
    }

    interface Rows {
        List<Measurement> measure(BenchContext ctx) throws Exception;
    }

    static Scenario simple(String id, String title, Rows rows, String target) {
        return new Scenario() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public ScenarioResult run(BenchContext ctx) throws Exception {
                List<Measurement> measured = rows.measure(ctx);
                return new ScenarioResult(id, title, measured, target, "anchors only: " + summary(measured));
            }
        };
    }

    private static String summary(List<Measurement> rows) {
        StringBuilder out = new StringBuilder();
        for (Measurement m : rows) {
            out.append(String.format(
                    Locale.ROOT,
                    "%s p50 %s ms; ",
                    m.subject(),
                    m.latency() == null ? "-" : Report.fmt(m.latency().p50Ms())));
        }
        return out.toString().trim();
    }
}
