package dev.kbsync.coordinator.http;

import dev.kbsync.api.KbId;
import java.time.Duration;

/**
 * A raw lease request as read and validated from its fields, before it needs Redis: over HTTP
 * ({@code POST /v1/kbs/{kb}/leases}) and as a lease channel's {@code request} frame alike.
 */
record LeaseAsk(KbId kb, String holder, Duration ttl, Duration waitFor) {
    /** {@code holder}, {@code ttlMs} (default {@code defaultTtl}, at most {@code maxHold}) and {@code waitMs}. */
    static LeaseAsk read(KbId kb, Fields fields, Duration defaultTtl, Duration maxHold) {
        String holder = Inputs.name("INVALID_HOLDER", "holder", fields.string("holder"));
        Duration ttl =
                fields.optLong("ttlMs").map(ms -> Inputs.ttl(ms, maxHold)).orElse(defaultTtl);
        return new LeaseAsk(kb, holder, ttl, Inputs.waitMs(fields, 0));
    }
}
