package dev.kbsync.bench;

import dev.kbsync.coordinator.lease.Lease;
import dev.kbsync.coordinator.lease.LeaseService;
import dev.kbsync.coordinator.lease.LeaseState;
import dev.kbsync.coordinator.queue.QueueAddresses;
import dev.kbsync.kb.KbId;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The engine's lease service as a {@link Mutex}: request, wait for the grant on the event bus, release. */
final class EngineLease implements Mutex {
    private final EventBus bus;
    private final LeaseService leases;
    private final KbId kb;
    private final String holder;
    private String id;

    EngineLease(EventBus bus, LeaseService leases, String kb, String holder) {
        this.bus = bus;
        this.leases = leases;
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
        MessageConsumer<JsonObject> consumer = bus.consumer(QueueAddresses.lease(id), m -> {
            if (HttpLease.granted(m.body().getJsonObject("lease"))) {
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
            consumer.unregister();
        }
    }

    @Override
    public void unlock() throws Exception {
        leases.release(id).await(30, TimeUnit.SECONDS);
    }
}
