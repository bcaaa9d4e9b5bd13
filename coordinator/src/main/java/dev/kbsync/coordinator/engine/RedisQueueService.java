package dev.kbsync.coordinator.engine;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.coordinator.queue.QueueService;
import dev.kbsync.coordinator.queue.Watchers;
import io.vertx.core.Future;
import java.util.List;

/** Queue snapshots read straight from Redis (one script call per KB). */
final class RedisQueueService implements QueueService {
    private final Tickets tickets;
    private final RedisKbRegistry kbs;
    private final Watchers watchers;

    RedisQueueService(Tickets tickets, RedisKbRegistry kbs, Watchers watchers) {
        this.tickets = tickets;
        this.kbs = kbs;
        this.watchers = watchers;
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
