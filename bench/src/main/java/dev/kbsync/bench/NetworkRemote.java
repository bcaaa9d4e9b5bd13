package dev.kbsync.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** A seeded bare repository served over git:// on loopback through a {@link DelayProxy} adding a round-trip delay. */
final class NetworkRemote implements AutoCloseable {
    private final Path dir;
    private final GitServer server;
    private final DelayProxy proxy;

    NetworkRemote(BenchContext ctx, int roundTripMillis) throws Exception {
        dir = Files.createTempDirectory(ctx.scratch(), "git-net");
        GitCli.seed(dir.resolve("kb.git"), dir.resolve("seed"));
        server = new GitServer(dir);
        proxy = new DelayProxy(server.address(), roundTripMillis / 2);
    }

    String url() {
        return "git://127.0.0.1:" + proxy.port() + "/kb.git";
    }

    /** A fresh directory next to the remote for a clone or checkout. */
    Path scratch(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        server.close();
    }
}
