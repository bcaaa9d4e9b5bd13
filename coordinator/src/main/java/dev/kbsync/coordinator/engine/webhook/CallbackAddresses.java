package dev.kbsync.coordinator.engine.webhook;

import dev.kbsync.coordinator.config.Webhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;

/**
 * The address a delivery connects to: its callback host resolved here (the JVM's resolver, hosts file included, on
 * worker threads of their own: a slow name server holds up neither the event loop nor other blocking work), and of its
 * addresses the first {@code webhooks.allowedHosts} allows ({@link Webhooks#allowsAddress}). The HTTP client is given
 * that address, so the name is not resolved again between the check and the connection (DNS rebinding).
 */
final class CallbackAddresses {
    /** Lookups under way at once; more wait their turn, within their attempt's timeout. */
    private static final int THREADS = 4;

    private final Webhooks config;
    private final WorkerExecutor resolver;

    CallbackAddresses(Vertx vertx, Webhooks config) {
        this.config = config;
        this.resolver = vertx.createSharedWorkerExecutor("kbsync-webhook-resolver", THREADS);
    }

    /** A callback URL, parsed as at submit; null if it does not parse or names no host (not stored by this version). */
    static URI uri(String url) {
        try {
            URI uri = new URI(url);
            return uri.getHost() == null ? null : uri;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The address to post {@code uri} to; failed when the host does not resolve or none of its addresses is allowed. */
    Future<InetAddress> of(URI uri) {
        String host = Webhooks.hostOf(uri);
        return resolver.executeBlocking(() -> InetAddress.getAllByName(host), false)
                .compose(all -> Arrays.stream(all)
                        .filter(config::allowsAddress)
                        .findFirst()
                        .map(Future::succeededFuture)
                        .orElseGet(() -> Future.failedFuture(new Refused(host, all))));
    }

    Future<Void> close() {
        return resolver.close();
    }

    /** A host that resolves only to internal addresses not listed as IP literals: the attempt fails, unsent. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String host, InetAddress[] addresses) {
            super(
                    "callback host " + host + " resolves to "
                            + Arrays.stream(addresses)
                                    .map(InetAddress::getHostAddress)
                                    .toList()
                            + ", internal and not listed as IP literals in webhooks.allowedHosts: not sent",
                    null,
                    false,
                    false);
        }
    }
}
