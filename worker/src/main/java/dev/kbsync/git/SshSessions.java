package dev.kbsync.git;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * One JGit SSH session factory per {@link SshIdentity}: that key only, that known_hosts only (checked by
 * {@link KnownHosts}), public-key authentication only; no ~/.ssh, no ssh config file, no agent. Keys are not cached,
 * so a replaced key file is read by the next connection.
 */
final class SshSessions {
    private static final Map<SshIdentity, SshdSessionFactory> FACTORIES = new ConcurrentHashMap<>();

    private SshSessions() {}

    static TransportConfigCallback configure(SshIdentity identity) {
        SshdSessionFactory factory = FACTORIES.computeIfAbsent(identity, SshSessions::build);
        return transport -> {
            if (transport instanceof SshTransport ssh) {
                ssh.setSshSessionFactory(factory);
            }
        };
    }

    private static SshdSessionFactory build(SshIdentity identity) {
        File dir = identity.keyFile().toAbsolutePath().getParent().toFile();
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(dir)
                .setSshDirectory(dir)
                .setConfigStoreFactory((home, configFile, user) -> null)
                .setDefaultIdentities(ssh -> List.of(identity.keyFile()))
                .setDefaultKnownHostsFiles(
                        ssh -> identity.knownHosts().map(List::of).orElse(List.of()))
                .setServerKeyDatabase((home, ssh) -> new KnownHosts(identity))
                .setPreferredAuthentications("publickey")
                .setConnectorFactory(null)
                .build(null);
    }
}
