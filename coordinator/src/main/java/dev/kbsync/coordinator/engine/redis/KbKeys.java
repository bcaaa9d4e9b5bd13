package dev.kbsync.coordinator.engine.redis;

import dev.kbsync.api.KbId;

/** Redis keys of one KB; all share the hash tag {@code {kb:<id>}} so Redis Cluster keeps them in one slot. */
public record KbKeys(KbId kb) {
    /** Prefix every per-KB key starts with; the Lua scripts append {@code queue}, {@code lease}, ... to it. */
    public String prefix() {
        return "kbsync:{kb:" + kb.value() + "}:";
    }

    public String queue() {
        return prefix() + "queue";
    }

    public String lock() {
        return prefix() + "lock";
    }
}
