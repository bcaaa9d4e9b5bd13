package dev.kbsync.coordinator.engine;

import dev.kbsync.api.KbId;

/** Redis keys of one KB; all share the hash tag {@code {kb:<id>}} so Redis Cluster keeps them in one slot. */
record KbKeys(KbId kb) {
    /** Prefix every per-KB key starts with; the Lua scripts append {@code queue}, {@code lease}, ... to it. */
    String prefix() {
        return "kbsync:{kb:" + kb.value() + "}:";
    }

    String queue() {
        return prefix() + "queue";
    }

    String lock() {
        return prefix() + "lock";
    }
}
