package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.JobKind;
import dev.kbsync.coordinator.engine.eta.Eta;
import dev.kbsync.coordinator.engine.eta.EtaModel;
import dev.kbsync.coordinator.engine.eta.HoldStats;
import dev.kbsync.coordinator.engine.eta.Holding;
import dev.kbsync.coordinator.engine.eta.Waiting;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Feeds {@link EtaModel} from what the scripts read: a ticket's {@code eta} inputs (lib.lua's {@code etaInputs}) or a
 * whole queue view. Both give the model the same inputs for the same stored state, so a job's record and the events
 * and snapshots built from a view agree.
 */
final class Estimates {
    private Estimates() {}

    static Waiting hold(Ticket t) {
        if (t.job()) {
            return t.type() == JobKind.AGENT ? Waiting.agent() : Waiting.note();
        }
        return Waiting.lease(t.ttlMs());
    }

    /** A ticket at {@code rank} from etaInputs' reply (null: it waits for nothing). */
    static Eta fromScript(Ticket t, long rank, JsonObject e) {
        if (e == null || rank <= 0) {
            return Eta.NONE;
        }
        Optional<CurrentGrant> g = Records.grant(e.getJsonObject("grant"));
        Holding holder = g.map(grant -> holding(
                        Waiting.parse(e.getString("holder", "l0")), grant.grantedMs(), grant.expiresMs(), grant))
                .orElse(null);
        List<Waiting> ahead = new ArrayList<>();
        Records.strings(e, "ahead").forEach(code -> ahead.add(Waiting.parse(code)));
        HoldStats stats = HoldStats.fromJson(e.getJsonObject("stats"));
        return EtaModel.estimate(
                hold(t).kind(),
                rank,
                holder,
                ahead,
                reference(t.createdMs(), stats, g.map(CurrentGrant::grantedMs)),
                stats);
    }

    /** Every row of a view, in queue order: the waiting ones' estimates, {@link Eta#NONE} for the others. */
    static List<Eta> fromView(KbView view) {
        Holding holder = null;
        for (KbView.Row row : view.rows()) {
            if (view.granted(row)) {
                holder = new Holding(row.hold(), view.grantedAtMs(), view.expiresAtMs(), view.batchOpen());
                break;
            }
        }
        Optional<Long> granted = view.grantTicket().isEmpty() ? Optional.empty() : Optional.of(view.grantedAtMs());
        if (holder == null && granted.isPresent()) { // the grant's ticket is no longer listed: hold it as a lease
            holder = new Holding(Waiting.lease(0), view.grantedAtMs(), view.expiresAtMs(), false);
        }
        List<Waiting> ahead = new ArrayList<>();
        List<Eta> out = new ArrayList<>(view.rows().size());
        for (int rank = 0; rank < view.rows().size(); rank++) {
            KbView.Row me = view.rows().get(rank);
            boolean waiting = !view.granted(me) && !view.members().contains(me.ticket());
            if (rank == 0 || !waiting) {
                out.add(Eta.NONE);
            } else {
                long reference = reference(me.createdMs(), view.stats(), granted);
                out.add(EtaModel.estimate(me.hold().kind(), rank, holder, ahead, reference, view.stats()));
            }
            if (waiting && rank < EtaModel.SCANNED) {
                ahead.add(me.hold());
            }
        }
        return out;
    }

    /** The grant of a note job can take the notes behind it into its group commit until a worker claimed it. */
    private static Holding holding(Waiting holder, long grantedMs, long expiresMs, CurrentGrant g) {
        return new Holding(
                holder, grantedMs, expiresMs, !g.claimed() && g.members().isEmpty());
    }

    /** The time a row's estimate counts from (see {@link #reference(long, HoldStats, Optional)}). */
    static long reference(KbView view, KbView.Row row) {
        Optional<Long> granted = view.grantTicket().isEmpty() ? Optional.empty() : Optional.of(view.grantedAtMs());
        return reference(row.createdMs(), view.stats(), granted);
    }

    /** The last change of a ticket's place: it joined, a ticket left the queue, or the grant changed hands. */
    private static long reference(long createdMs, HoldStats stats, Optional<Long> grantedMs) {
        return Math.max(Math.max(createdMs, stats.movedMs()), grantedMs.orElse(0L));
    }
}
