package dev.kbsync.coordinator.engine.eta;

/** A ticket that holds or will hold the KB: its kind, and for a raw lease its declared TTL. */
public record Waiting(HoldKind kind, long ttlMs) {
    public Waiting {
        if (kind == null || ttlMs < 0) {
            throw new IllegalArgumentException("kind required, ttlMs >= 0");
        }
    }

    public static Waiting note() {
        return new Waiting(HoldKind.NOTE, 0);
    }

    public static Waiting agent() {
        return new Waiting(HoldKind.AGENT, 0);
    }

    public static Waiting lease(long ttlMs) {
        return new Waiting(HoldKind.LEASE, ttlMs);
    }

    /** The scripts' code (see {@link HoldKind}): {@code n}, {@code a}, {@code l30000}. */
    public static Waiting parse(String code) {
        if (code == null || code.isEmpty()) {
            throw new IllegalArgumentException("empty hold code");
        }
        return switch (code.charAt(0)) {
            case 'n' -> note();
            case 'a' -> agent();
            case 'l' -> lease(code.length() > 1 ? Long.parseLong(code.substring(1)) : 0);
            default -> throw new IllegalArgumentException("unknown hold code " + code);
        };
    }
}
