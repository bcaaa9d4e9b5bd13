package dev.kbsync.coordinator.engine;

import dev.kbsync.kb.KbId;
import io.vertx.core.Future;

/** A KB's queue changed here: tell every coordinator and let the KB's driver advance at once. */
record Changes(Events events, Drivers drivers) {
    /** Completes when the local driver round is over (it may have granted the next ticket). */
    Future<Void> changed(KbId kb) {
        events.queueChanged(kb);
        return drivers.pump(kb);
    }
}
