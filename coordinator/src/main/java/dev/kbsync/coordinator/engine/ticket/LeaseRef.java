package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.error.NotFoundException;
import io.vertx.core.Future;

/**
 * A lease id taken apart. Raw leases are {@code <kb>~<ticket>} (known before the grant); a job's grant is
 * {@code <kb>~<jobId>.<fencingToken>}, a new id per attempt. KB ids cannot contain {@code ~}.
 */
public record LeaseRef(KbId kb, String ticket, Long fence) {
    public static LeaseRef parse(String leaseId) {
        int tilde = leaseId == null ? -1 : leaseId.indexOf('~');
        if (tilde <= 0 || tilde == leaseId.length() - 1) {
            throw notFound(leaseId);
        }
        try {
            KbId kb = KbId.of(leaseId.substring(0, tilde));
            String rest = leaseId.substring(tilde + 1);
            int dot = rest.indexOf('.');
            return dot < 0
                    ? new LeaseRef(kb, rest, null)
                    : new LeaseRef(kb, rest.substring(0, dot), Long.parseLong(rest.substring(dot + 1)));
        } catch (IllegalArgumentException e) {
            throw notFound(leaseId);
        }
    }

    /** {@link #parse} as a future: a malformed id fails it with LEASE_NOT_FOUND instead of throwing. */
    public static Future<LeaseRef> of(String leaseId) {
        try {
            return Future.succeededFuture(parse(leaseId));
        } catch (NotFoundException e) {
            return Future.failedFuture(e);
        }
    }

    public static String raw(KbId kb, String ticket) {
        return kb.value() + "~" + ticket;
    }

    public String id() {
        return fence == null ? raw(kb, ticket) : raw(kb, ticket) + "." + fence;
    }

    public boolean forJob() {
        return fence != null;
    }

    public KbKeys keys() {
        return new KbKeys(kb);
    }

    private static NotFoundException notFound(String leaseId) {
        return new NotFoundException("LEASE_NOT_FOUND", "no lease " + Quoting.quote(leaseId));
    }
}
