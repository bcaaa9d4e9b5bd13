package dev.kbsync.bench;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The engine's lease service as a {@link Mutex}: request, wait for the grant on the event bus (watching the KB), release. */
final class EngineLease implements Mutex {
    private final EventBus bus;
    private final LeaseService leases;
    private final Watchers watchers;
    private final KbId kb;
    private final String holder;
    private String id;

    EngineLease(EventBus bus, CoordinatorServices services, String kb, String holder) {
        this.bus = bus;
        this.leases = services.leases();
        this.watchers = services.queues().watchers();
        this.kb = KbId.of(kb);
        this.holder = holder;
    }

    @Override
    public void lock() throws Exception {
        Lease lease = leases.request(kb, holder, null).await(30, TimeUnit.SECONDS);
        id = lease.id();
        if (lease.state() == LeaseState.GRANTED) {
            return;
        }
        CompletableFuture<Void> grant = new CompletableFuture<>();
        Watchers.Watch watch = watchers.lease(id);
        MessageConsumer<LeaseEvent> consumer = bus.consumer(QueueAddresses.lease(id), m -> {
            if (m.body().lease().state() == LeaseState.GRANTED) {
                grant.complete(null);
            }
        });
        try {
            consumer.completion().await(30, TimeUnit.SECONDS);
            if (leases.get(id).await(30, TimeUnit.SECONDS).state() == LeaseState.GRANTED) {
                return;
            }
            grant.get(30, TimeUnit.SECONDS);
        } finally {
            watch.close();
            consumer.unregister();
        }
    }

    @Override
    public void unlock() throws Exception {
        leases.release(id).await(30, TimeUnit.SECONDS);
    }
}
