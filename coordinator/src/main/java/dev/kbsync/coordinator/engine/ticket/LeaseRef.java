package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.error.NotFoundException;
import io.vertx.core.Future;

/**
 * A lease id taken apart. Raw leases are {@code <kb>~<ticket>} (known before the grant; tickets are random); a job's
 * grant is {@code <kb>~<ticket>.<fencingToken>.<nonce>}, a new id per grant even if a failover lost a token increment
 * and the token repeats. KB ids cannot contain {@code ~}, so every lease id names its KB's slot.
 */
public record LeaseRef(String id, KbId kb, String ticket, Long fence) {
    public static LeaseRef parse(String leaseId) {
        int tilde = leaseId == null ? -1 : leaseId.indexOf('~');
        if (tilde <= 0 || tilde == leaseId.length() - 1) {
            throw notFound(leaseId);
        }
        try {
            KbId kb = KbId.of(leaseId.substring(0, tilde));
            String[] parts = leaseId.substring(tilde + 1).split("\\.", -1);
            if (parts.length == 1) {
                return new LeaseRef(leaseId, kb, parts[0], null);
            }
            if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()) {
                throw notFound(leaseId);
            }
            return new LeaseRef(leaseId, kb, parts[0], Long.parseLong(parts[1]));
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

    public boolean forJob() {
        return fence != null;
    }

    /** The job this lease was granted for (only meaningful {@link #forJob()}). */
    public JobRef job() {
        return new JobRef(kb, ticket);
    }

    public KbKeys keys() {
        return new KbKeys(kb);
    }

    private static NotFoundException notFound(String leaseId) {
        return new NotFoundException("LEASE_NOT_FOUND", "no lease " + Quoting.quote(leaseId));
    }
}
