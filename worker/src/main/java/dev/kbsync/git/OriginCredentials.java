package dev.kbsync.git;

import java.util.Locale;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A user name and token that answer only for the remote they were chosen for: the same scheme, host and port. JGit
 * follows a remote's redirect to any other https:// host or port and asks its provider again when that one answers
 * 401; the host check made on the configured URL ({@link TokenHosts}, a GitHub or GitLab token's host) would not hold
 * there, so for any other origin this provider answers nothing and the fetch fails unauthenticated.
 */
final class OriginCredentials extends UsernamePasswordCredentialsProvider {
    private final URIish origin;

    OriginCredentials(URIish origin, String username, String token) {
        super(username, token);
        this.origin = origin;
    }

    @Override
    public boolean get(URIish uri, CredentialItem... items) {
        return sameOrigin(origin, uri) && super.get(uri, items);
    }

    static boolean sameOrigin(URIish a, URIish b) {
        return a != null
                && b != null
                && a.getScheme() != null
                && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null
                && a.getHost()
                        .toLowerCase(Locale.ROOT)
                        .equals(String.valueOf(b.getHost()).toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    private static int port(URIish uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }
}
