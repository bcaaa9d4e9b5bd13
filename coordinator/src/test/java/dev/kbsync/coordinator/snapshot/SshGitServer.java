package dev.kbsync.coordinator.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git SSH server on 127.0.0.1 for fetches (Apache MINA SSHD, as the worker's {@code GitSshServer} fixture): serves
 * the bare repositories under a directory to {@code git-upload-pack}, lets in only the given public key, and records
 * every connection and every key offered.
 */
final class SshGitServer implements AutoCloseable {
    private final SshServer sshd;
    private final KeyPair hostKey;
    private final List<String> attempts = new CopyOnWriteArrayList<>();
    private final List<String> connections = new CopyOnWriteArrayList<>();

    SshGitServer(Path root, KeyPair hostKey, PublicKey authorized) throws IOException {
        this.hostKey = hostKey;
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setPublickeyAuthenticator((user, key, session) -> {
            attempts.add(KeyUtils.getFingerPrint(key));
            return KeyUtils.compareKeys(key, authorized);
        });
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                connections.add(String.valueOf(session.getRemoteAddress()));
            }
        });
        sshd.setCommandFactory((channel, command) -> new UploadCommand(root, command));
        sshd.start();
    }

    /** {@code ssh://git@127.0.0.1:<port>/<name>}. */
    String url(String name) {
        return "ssh://git@127.0.0.1:" + sshd.getPort() + "/" + name;
    }

    /** The known_hosts line of this server's host key. */
    String knownHostsLine() {
        return "[127.0.0.1]:" + sshd.getPort() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    /** Fingerprints of the client keys offered so far. */
    List<String> attempts() {
        return attempts;
    }

    /** The SSH sessions opened so far (client addresses). */
    List<String> connections() {
        return connections;
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    /** One {@code git-upload-pack '/name'} exec request. */
    private static final class UploadCommand implements Command {
        private final Path root;
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        UploadCommand(Path root, String command) {
            this.root = root;
            this.command = command;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread thread = new Thread(this::run, "git-ssh-" + command);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            String[] parts = command.split(" ", 2);
            String name = parts.length < 2 ? "" : parts[1].replace("'", "").replaceFirst("^/", "");
            if (!parts[0].equals("git-upload-pack")) {
                exit.onExit(127, "unknown command");
                return;
            }
            try (Repository repo = new FileRepositoryBuilder()
                    .setGitDir(root.resolve(name).toFile())
                    .setMustExist(true)
                    .build()) {
                new UploadPack(repo).upload(in, out, err);
                out.flush();
                exit.onExit(0);
            } catch (IOException | RuntimeException e) {
                exit.onExit(1, String.valueOf(e.getMessage()));
            }
        }

        @Override
        public void destroy(ChannelSession channel) {}

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }
    }
}
