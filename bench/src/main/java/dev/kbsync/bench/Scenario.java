package dev.kbsync.bench;

/** One benchmark scenario: kbsync and its anchors measured in the same run. */
interface Scenario {
    String id();

    ScenarioResult run(BenchContext ctx) throws Exception;
}
