package dev.kbsync.git;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host key checking for one {@link SshIdentity}: with strict checking the server's key must be listed for its host
 * (and port) in the identity's known_hosts file, read at every connection; nothing is ever written to the file.
 */
final class KnownHosts implements ServerKeyDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(KnownHosts.class);
    private static final int SSH_PORT = 22;

    private final SshIdentity identity;

    KnownHosts(SshIdentity identity) {
        this.identity = identity;
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remote, Configuration config) {
        return identity.knownHosts().map(file -> keys(file, connectAddress)).orElse(List.of());
    }

    @Override
    public boolean accept(
            String connectAddress,
            InetSocketAddress remote,
            PublicKey serverKey,
            Configuration config,
            CredentialsProvider provider) {
        if (!identity.strictHostKeyChecking()) {
            return true;
        }
        boolean known =
                lookup(connectAddress, remote, config).stream().anyMatch(key -> KeyUtils.compareKeys(key, serverKey));
        if (!known) {
            LOG.warn(
                    "refused the SSH host key of {} ({} {}): not in {} (strict host key checking)",
                    connectAddress,
                    KeyUtils.getKeyType(serverKey),
                    KeyUtils.getFingerPrint(serverKey),
                    identity.knownHosts().orElseThrow());
        }
        return known;
    }

    /** The keys listed for {@code connectAddress} ({@code host} or {@code [host]:port}); none if unreadable. */
    private static List<PublicKey> keys(Path file, String connectAddress) {
        String host = connectAddress;
        int port = SSH_PORT;
        if (connectAddress.startsWith("[") && connectAddress.contains("]:")) {
            host = connectAddress.substring(1, connectAddress.indexOf("]:"));
            port = Integer.parseInt(connectAddress.substring(connectAddress.indexOf("]:") + 2));
        }
        List<PublicKey> keys = new ArrayList<>();
        try {
            for (KnownHostEntry entry : KnownHostEntry.readKnownHostEntries(file)) {
                if (entry.getMarker() == null && entry.isHostMatch(host, port)) {
                    keys.add(entry.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("cannot read the known_hosts file {}: {}", file, e.toString());
            return List.of();
        }
        keys.removeIf(Objects::isNull);
        return keys;
    }
}
