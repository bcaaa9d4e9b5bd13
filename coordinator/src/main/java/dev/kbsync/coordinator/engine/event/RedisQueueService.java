package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.KbView;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.service.QueueService;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import java.util.List;

/** Queue snapshots read straight from Redis (one script call per KB), and the KBs' recently finished jobs. */
public final class RedisQueueService implements QueueService {
    private final Tickets tickets;
    private final RedisKbRegistry kbs;
    private final Watchers watchers;

    public RedisQueueService(Tickets tickets, RedisKbRegistry kbs, Watchers watchers) {
        this.tickets = tickets;
        this.kbs = kbs;
        this.watchers = watchers;
    }

    @Override
    public Future<RecentJobs> recent(KbId kb) {
        return kbs.require(kb).compose(v -> tickets.recent(kb));
    }

    @Override
    public Watchers watchers() {
        return watchers;
    }

    @Override
    public Future<QueueSnapshot> snapshot(KbId kb) {
        return kbs.require(kb).compose(v -> tickets.view(kb)).map(KbView::snapshot);
    }

    @Override
    public Future<List<QueueSnapshot>> all() {
        return kbs.list().compose(list -> {
            List<Future<QueueSnapshot>> views = list.stream()
                    .map(KbConfig::id)
                    .map(kb -> tickets.view(kb).map(KbView::snapshot))
                    .toList();
            return Future.all(views).map(all -> all.<QueueSnapshot>list());
        });
    }
}
