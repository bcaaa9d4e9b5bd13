package dev.kbsync.bench;

import dev.kbsync.api.client.KbsyncClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Registers many KBs (placeholder remotes: the load never touches git) over 8 threads, spread over the clients. */
final class CapacityKbs {
    private CapacityKbs() {}

    static void register(List<KbsyncClient> clients, List<String> kbs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                all.add(pool.submit(() -> {
                    for (int i = thread; i < kbs.size(); i += 8) {
                        KbsyncClient client = clients.get(i % clients.size());
                        List<String> one = List.of(kbs.get(i));
                        Retry.unavailable(() -> {
                            KbsyncLeases.register(client, one);
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
