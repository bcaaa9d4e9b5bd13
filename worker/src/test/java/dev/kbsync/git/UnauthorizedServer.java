package dev.kbsync.git;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.kbsync.worker.fixture.LoopbackTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTPS (or plain HTTP) server that answers every request with 401 Basic (or another status, {@link #answering}),
 * recording the Authorization headers it got.
 */
final class UnauthorizedServer implements AutoCloseable {
    private final HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    /** Over HTTPS ({@link LoopbackTls}), as a remote a worker shows tokens to. */
    UnauthorizedServer() throws IOException {
        this(LoopbackTls.server());
    }

    private UnauthorizedServer(HttpServer server) {
        this(server, 401);
    }

    private UnauthorizedServer(HttpServer server, int status) {
        this.server = server;
        server.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizations.add(auth);
            }
            if (status == 401) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"kb\"");
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/acme/kb.git";
    }

    List<String> authorizations() {
        return authorizations;
    }

    /** One that speaks plain http://, to prove no credential is offered to such a remote. */
    static UnauthorizedServer plainHttp() throws IOException {
        return new UnauthorizedServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
    }

    /** A plain http:// one that answers every request {@code status} (a git host that is down, or has no such repository). */
    static UnauthorizedServer answering(int status) throws IOException {
        return new UnauthorizedServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), status);
    }

    /** A port nothing listens on. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
