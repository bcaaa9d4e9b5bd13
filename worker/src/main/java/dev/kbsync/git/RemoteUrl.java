package dev.kbsync.git;

import java.net.URISyntaxException;
import java.util.Optional;
import org.eclipse.jgit.transport.URIish;

/** A parsed remote URL; credentials embedded in it are split off so they never reach JGit or .git/config. */
record RemoteUrl(URIish uri) {

    static RemoteUrl parse(String url) {
        try {
            return new RemoteUrl(new URIish(url));
        } catch (URISyntaxException e) {
            throw new GitException("Invalid remote URL: " + Secrets.mask(url));
        }
    }

    boolean isHttp() {
        String scheme = uri.getScheme();
        return scheme != null && (scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"));
    }

    /** Only an {@code https://} remote is shown a token: over plain {@code http://} it would travel in clear text. */
    boolean isHttps() {
        return "https".equalsIgnoreCase(uri.getScheme());
    }

    /** {@code ssh://} or the scp-like {@code user@host:path}. */
    boolean isSsh() {
        String scheme = uri.getScheme();
        return scheme == null ? uri.getHost() != null : scheme.equalsIgnoreCase("ssh");
    }

    String host() {
        return uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code host} or {@code host:port}, as the URL names it. */
    String hostAndPort() {
        return host() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /** Credentials written into the URL itself ({@code https://user:token@host/...}), if any. */
    Optional<GitCredentials> embeddedCredentials() {
        if (!isHttp() || uri.getUser() == null || uri.getPass() == null) {
            return Optional.empty();
        }
        return Optional.of(new GitCredentials(uri.getUser(), uri.getPass()));
    }

    /** The URL as stored in .git/config and shown in messages: never a password. */
    String withoutCredentials() {
        URIish stripped = isHttp() ? uri.setUser(null).setPass(null) : uri.setPass(null);
        return stripped.toString();
    }
}
