package dev.kbsync.coordinator.faults;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.redisson.config.Config;

/**
 * Child-JVM main for {@code KilledWaitersIT}: {@code <redisUri> <kb> <name>...} requests one 1 s lease per name over
 * its own engine, prints {@code WAITING <leaseId>...} and keeps every waiter alive until it is killed.
 */
public final class WaiterProcess {
    static final String READY = "WAITING";

    private WaiterProcess() {}

    public static void main(String[] args) {
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(args[0]);
        Node node = Node.start(redisson, Node.config("child"));
        List<String> ids = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            Lease lease = Node.get(
                    node.leases().request(KbId.of(args[1]), args[i], Duration.ofSeconds(1)), Duration.ofSeconds(10));
            ids.add(lease.id());
        }
        System.out.println(READY + " " + String.join(" ", ids));
        System.out.flush();
        while (true) {
            ids.forEach(id -> node.leases().heartbeat(id));
            Holder.pause(400);
        }
    }
}
