package dev.kbsync.faults.check;

import java.util.List;

/** The checker's judgement of one run: its figures and every violated guarantee (empty when the run is valid). */
public record Verdict(Figures figures, List<String> violations) {
    public Verdict {
        violations = List.copyOf(violations);
    }

    public boolean valid() {
        return violations.isEmpty();
    }
}
