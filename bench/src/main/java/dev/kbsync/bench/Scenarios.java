package dev.kbsync.bench;

import java.util.ArrayList;
import java.util.List;

/** The scenarios of issue 6: kbsync and its anchors measured in the same run, checked against the targets. */
final class Scenarios {
    static final String WORKER_MISSING = "not measured: worker not merged at bench time";
    private static final int WAITERS = 16;

    private Scenarios() {}

    static List<Scenario> all() {
        return List.of(
                new Scenario("1", "uncontended grant+release", Scenarios::uncontended),
                new Scenario("2", "handoff, 16 waiters on one KB", Scenarios::handoff),
                new Scenario("3", "100 KBs x 16 workers", Scenarios::manyKbs),
                new Scenario("4", "queue-position events, 1,000 waiters / 100 KBs", Scenarios::positions),
                new Scenario("5", "end-to-end notes/s", Scenarios::notes),
                new Scenario("6", "git time per job", Scenarios::gitPerJob),
                new Scenario("M", "coordinator memory, 10,000 queued jobs / 1,000 KBs", Scenarios::memory));
    }

    private static ScenarioResult uncontended(String id, String title, BenchContext ctx) throws Exception {
        Measurement raw = new LockAnchors(ctx).rawUncontended();
        KbsyncLeases kbsync = new KbsyncLeases(ctx);
        Measurement http = kbsync.httpUncontended();
        Measurement engine = kbsync.engineUncontended();
        return new ScenarioResult(
                id,
                title,
                List.of(http, engine, raw),
                List.of(Check.of(http, raw, Target.ratioAtMost(Metric.P50, 2.0))));
    }

    private static ScenarioResult handoff(String id, String title, BenchContext ctx) throws Exception {
        LockAnchors anchors = new LockAnchors(ctx);
        Measurement raw = anchors.rawHandoff(WAITERS);
        Measurement curator = anchors.curatorHandoff(WAITERS);
        KbsyncLeases kbsync = new KbsyncLeases(ctx);
        Measurement http = kbsync.httpHandoff(WAITERS);
        Measurement engine = kbsync.engineHandoff(WAITERS);
        List<Check> checks = new ArrayList<>();
        for (Measurement m : List.of(http, engine)) {
            checks.add(Check.of(m, raw, Target.ratioAtMost(Metric.P50, 1.0)));
            checks.add(Check.of(m, raw, Target.ratioAtMost(Metric.P99, 1.0)));
            checks.add(Check.of(m, curator, Target.ratioAtLeast(Metric.RATE, 1.0)));
        }
        return new ScenarioResult(id, title, List.of(http, engine, raw, curator), checks);
    }

    private static ScenarioResult manyKbs(String id, String title, BenchContext ctx) throws Exception {
        Measurement raw = new LockAnchors(ctx).rawManyKbs(100, WAITERS);
        KbsyncLeases kbsync = new KbsyncLeases(ctx);
        Measurement http = kbsync.httpManyKbs(100, WAITERS);
        Measurement engine = kbsync.engineManyKbs(100, WAITERS);
        Target target = Target.ratioAtLeast(Metric.RATE, 0.9);
        return new ScenarioResult(
                id,
                title,
                List.of(http, engine, raw),
                List.of(Check.of(http, raw, target), Check.of(engine, raw, target)));
    }

    private static ScenarioResult positions(String id, String title, BenchContext ctx) throws Exception {
        Measurement events = PositionEvents.run(ctx, 100, 10, ctx.quick() ? 2 : 5);
        return new ScenarioResult(
                id, title, List.of(events), List.of(Check.absolute(events, Target.absoluteAtMost(Metric.P99, 10))));
    }

    private static ScenarioResult notes(String id, String title, BenchContext ctx) throws Exception {
        GitAnchors git = new GitAnchors(ctx);
        Measurement near = git.cliOverNetwork(0, ctx.scaled(100));
        Measurement far = git.cliOverNetwork(100, ctx.quick() ? 3 : 15);
        Target target = Target.ratioAtLeast(Metric.RATE, 1.0);
        return new ScenarioResult(
                id,
                title,
                List.of(near, far),
                List.of(
                        Check.notMeasured(near, target, WORKER_MISSING),
                        Check.notMeasured(far, target, WORKER_MISSING)));
    }

    private static ScenarioResult gitPerJob(String id, String title, BenchContext ctx) throws Exception {
        Measurement pull = new GitAnchors(ctx).cliPull();
        return new ScenarioResult(
                id,
                title,
                List.of(pull),
                List.of(Check.notMeasured(pull, Target.ratioAtMost(Metric.P50, 0.6), WORKER_MISSING)));
    }

    private static ScenarioResult memory(String id, String title, BenchContext ctx) throws Exception {
        List<Measurement> rows = ctx.quick() ? MemoryBench.run(ctx, 100, 1000) : MemoryBench.run(ctx, 1000, 10_000);
        return new ScenarioResult(
                id, title, rows, List.of(Check.absolute(rows.get(0), Target.absoluteAtMost(Metric.MEBIBYTES, 256))));
    }
}
