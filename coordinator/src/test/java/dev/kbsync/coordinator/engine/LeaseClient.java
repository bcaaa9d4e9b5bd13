package dev.kbsync.coordinator.engine;

import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * What a raw-lease client does while it waits: listens on its lease address and heartbeats every 400 ms (as the HTTP
 * layer does while an event stream is open), until the lease is granted.
 */
final class LeaseClient {
    private LeaseClient() {}

    static Future<Lease> granted(Coordinators.Node node, Lease lease) {
        return granted(node.vertx(), node.engine().services(), lease);
    }

    static Future<Lease> granted(Vertx vertx, CoordinatorServices services, Lease lease) {
        if (lease.state() == LeaseState.GRANTED) {
            return Future.succeededFuture(lease);
        }
        LeaseService leases = services.leases();
        Watchers.Watch watch = services.queues().watchers().lease(lease.id());
        Promise<Lease> granted = Promise.promise();
        MessageConsumer<LeaseEvent> consumer = vertx.eventBus().consumer(QueueAddresses.lease(lease.id()), message -> {
            if (message.body().lease().state() == LeaseState.GRANTED) {
                leases.get(lease.id()).onSuccess(l -> complete(granted, l));
            }
        });
        long timer = vertx.setPeriodic(
                400,
                t -> leases.heartbeat(lease.id())
                        .onSuccess(l -> complete(granted, l))
                        .onFailure(granted::tryFail));
        granted.future().onComplete(x -> {
            watch.close();
            consumer.unregister();
            vertx.cancelTimer(timer);
        });
        leases.get(lease.id()).onSuccess(l -> complete(granted, l));
        return granted.future();
    }

    private static void complete(Promise<Lease> granted, Lease lease) {
        if (lease.state() == LeaseState.GRANTED) {
            granted.tryComplete(lease);
        }
    }
}
