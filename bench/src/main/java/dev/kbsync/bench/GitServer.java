package dev.kbsync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.DaemonClient;
import org.eclipse.jgit.transport.DaemonService;
import org.eclipse.jgit.transport.resolver.RepositoryResolver;

/** Serves the bare repositories under a directory over git:// on loopback (JGit's daemon, push enabled). */
final class GitServer implements AutoCloseable {
    private final Daemon daemon;

    GitServer(Path root) throws IOException {
        daemon = new Daemon(new InetSocketAddress("127.0.0.1", 0));
        DaemonService receive = daemon.getService("git-receive-pack");
        receive.setEnabled(true);
        receive.setOverridable(false);
        RepositoryResolver<DaemonClient> resolver = (client, name) -> open(root, name);
        daemon.setRepositoryResolver(resolver);
        daemon.start();
    }

    private static Repository open(Path root, String name) {
        try {
            return new FileRepositoryBuilder()
                    .setGitDir(root.resolve(name.replaceFirst("^/", "")).toFile())
                    .setMustExist(true)
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException("no repository " + name, e);
        }
    }

    InetSocketAddress address() {
        return daemon.getAddress();
    }

    @Override
    public void close() {
        daemon.stop();
    }
}
