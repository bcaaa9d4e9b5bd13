package dev.kbsync.faults.check;

import java.util.List;

/**
 * The checker's judgement of one run: its figures, every violated guarantee (empty when the run is valid), and what it
 * saw that the suite reports without failing the run (liveness it cannot yet tell from the harness's own limits: a
 * nemesis that never fired, a KB its holders asked for in vain after a fault).
 */
public record Verdict(Figures figures, List<String> violations, List<String> warnings) {
    public Verdict {
        violations = List.copyOf(violations);
        warnings = List.copyOf(warnings);
    }

    public boolean valid() {
        return violations.isEmpty();
    }
}
