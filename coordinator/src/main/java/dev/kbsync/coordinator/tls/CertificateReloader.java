package dev.kbsync.coordinator.tls;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves HTTPS with a PEM certificate and key and replaces them when their files change: every reload interval both
 * files are read (off the event loop, through Vert.x's file system) and, when either differs from what is served, the
 * running server's TLS options are updated; new connections get the new certificate, open ones keep theirs. A pair
 * that does not load (a half-written file, a key that does not belong to the certificate: certbot swaps the two files
 * one after the other) is logged and the old one kept; at start it fails the start.
 */
public final class CertificateReloader {
    private static final Logger log = LoggerFactory.getLogger(CertificateReloader.class);

    private final Vertx vertx;
    private final CoordinatorConfig.Tls tls;
    private List<Buffer> served;
    private long timer = -1;

    private CertificateReloader(Vertx vertx, CoordinatorConfig.Tls tls, List<Buffer> served) {
        this.vertx = vertx;
        this.tls = tls;
        this.served = served;
    }

    /** Reads the pair and puts it into {@code options} (HTTPS on); the reloader starts once the server listens. */
    public static Future<CertificateReloader> load(Vertx vertx, CoordinatorConfig.Tls tls, HttpServerOptions options) {
        return read(vertx, tls).compose(pair -> matching(vertx, tls, pair)).map(pair -> {
            options.setSsl(true).setKeyCertOptions(keyCert(pair));
            return new CertificateReloader(vertx, tls, pair);
        });
    }

    /** Starts checking the files for {@code server}. */
    public void watch(HttpServer server) {
        long period = tls.reloadInterval().toMillis();
        timer = vertx.setPeriodic(period, period, id -> check(server));
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void check(HttpServer server) {
        read(vertx, tls)
                .compose(pair -> pair.equals(served)
                        ? Future.succeededFuture(false)
                        : matching(vertx, tls, pair)
                                .compose(checked -> server.updateSSLOptions(
                                        new ServerSSLOptions().setKeyCertOptions(keyCert(pair))))
                                .map(updated -> {
                                    served = pair;
                                    return updated;
                                }))
                .onSuccess(updated -> {
                    if (updated) {
                        log.info("TLS certificate reloaded from {} and {}", tls.certFile(), tls.keyFile());
                    }
                })
                .onFailure(e -> log.warn(
                        "TLS certificate files {} / {} changed but do not load ({}); still serving the previous pair",
                        tls.certFile(),
                        tls.keyFile(),
                        e.getMessage()));
    }

    private static Future<List<Buffer>> read(Vertx vertx, CoordinatorConfig.Tls tls) {
        return Future.all(
                        vertx.fileSystem().readFile(tls.certFile().toString()),
                        vertx.fileSystem().readFile(tls.keyFile().toString()))
                .map(all -> List.of(all.<Buffer>resultAt(0), all.<Buffer>resultAt(1)));
    }

    /** {@code pair}, once its key is found to belong to its certificate ({@link KeyMatch}, off the event loop). */
    private static Future<List<Buffer>> matching(Vertx vertx, CoordinatorConfig.Tls tls, List<Buffer> pair) {
        return vertx.executeBlocking(
                () -> {
                    if (!KeyMatch.matches(vertx, keyCert(pair))) {
                        throw new IllegalArgumentException("the key in " + tls.keyFile()
                                + " does not belong to the certificate in " + tls.certFile());
                    }
                    return pair;
                },
                false);
    }

    private static PemKeyCertOptions keyCert(List<Buffer> pair) {
        return new PemKeyCertOptions().setCertValue(pair.get(0)).setKeyValue(pair.get(1));
    }
}
