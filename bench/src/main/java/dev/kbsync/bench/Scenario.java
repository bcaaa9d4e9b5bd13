package dev.kbsync.bench;

/** One benchmark scenario: kbsync and its anchors measured in the same run, checked against the targets. */
record Scenario(String id, String title, Scenario.Body body) {
    /** Measures the scenario. */
    interface Body {
        ScenarioResult run(String id, String title, BenchContext ctx) throws Exception;
    }

    ScenarioResult run(BenchContext ctx) throws Exception {
        return body.run(id, title, ctx);
    }
}
