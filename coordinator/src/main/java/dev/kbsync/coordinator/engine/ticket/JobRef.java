package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.engine.redis.Ids;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.error.NotFoundException;
import io.vertx.core.Future;

/**
 * A job id taken apart: {@code <kb>~<ticket>}. The job lives in its KB's hash slot (its record in the KB's
 * {@code jobs} hash, its state on its ticket), so reading it is one script call and recording its outcome is atomic
 * with the KB's grant. Clients treat the id as opaque.
 */
public record JobRef(KbId kb, String ticket) {
    /** A new job of {@code kb}. */
    public static JobRef create(KbId kb) {
        return new JobRef(kb, Ids.next());
    }

    /** Fails with JOB_NOT_FOUND for an id that cannot be a job's. */
    public static Future<JobRef> of(String jobId) {
        int tilde = jobId == null ? -1 : jobId.indexOf('~');
        try {
            String ticket = tilde > 0 ? jobId.substring(tilde + 1) : "";
            if (ticket.isEmpty() || ticket.contains(".")) {
                throw new IllegalArgumentException(jobId);
            }
            return Future.succeededFuture(new JobRef(KbId.of(jobId.substring(0, tilde)), ticket));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(notFound(jobId));
        }
    }

    public static NotFoundException notFound(String jobId) {
        return new NotFoundException("JOB_NOT_FOUND", "no job " + Quoting.quote(jobId));
    }

    public String id() {
        return kb.value() + "~" + ticket;
    }

    public KbKeys keys() {
        return new KbKeys(kb);
    }
}
