package dev.kbsync.bench;

import java.util.List;

/** A scenario's rows: kbsync first (when built), then the anchors, and the target with its verdict. */
record ScenarioResult(String id, String title, List<Measurement> rows, String target, String verdict) {}
