package dev.kbsync.bench;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The raw lease API as a {@link Mutex}: POST a lease; if it waits, follow its event stream until the grant; DELETE
 * to release (which also ends the stream).
 */
final class HttpLease implements Mutex {
    private final Api api;
    private final String kb;
    private final String holder;
    private String id;

    HttpLease(Api api, String kb, String holder) {
        this.api = api;
        this.kb = kb;
        this.holder = holder;
    }

    @Override
    public void lock() throws Exception {
        JsonObject lease =
                api.call(HttpMethod.POST, "/v1/kbs/" + kb + "/leases", new JsonObject().put("holder", holder));
        id = lease.getString("id");
        if (granted(lease)) {
            return;
        }
        CompletableFuture<Void> grant = new CompletableFuture<>();
        api.events("/v1/leases/" + id + "/events", (type, data) -> {
                    if (granted(data)) {
                        grant.complete(null);
                    }
                })
                .await(30, TimeUnit.SECONDS);
        grant.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void unlock() throws Exception {
        api.call(HttpMethod.DELETE, "/v1/leases/" + id, null);
    }

    static boolean granted(JsonObject lease) {
        return "granted".equals(lease.getString("state"));
    }
}
