package dev.kbsync.git;

import dev.kbsync.api.GitHosts;
import java.util.Map;
import java.util.Optional;

/** HTTPS username + token; {@link #toString()} never shows the token, and the token is registered for masking. */
public record GitCredentials(String username, String token) implements GitCredential {

    public GitCredentials {
        if (username == null || username.isBlank() || token == null || token.isBlank()) {
            throw new IllegalArgumentException("Git credentials need a username and a token");
        }
        Secrets.register(token);
    }

    /**
     * Credentials for {@code remoteUrl} from the environment: gitlab.com uses GITLAB_USERNAME/GITLAB_TOKEN, GitHub
     * hosts GITHUB_USERNAME/GITHUB_TOKEN (exact host names, {@link GitHosts}), any host falls back to
     * KBSYNC_GIT_USERNAME/KBSYNC_GIT_TOKEN: only to {@code genericHosts} when given ({@link Withheld} elsewhere), to any
     * host when not. Empty for any remote but {@code https://} (SSH, plain {@code http://}, local) and for URLs that
     * already carry credentials.
     */
    public static Optional<GitCredential> fromEnvironment(
            Map<String, String> env, String remoteUrl, Optional<TokenHosts> genericHosts) {
        RemoteUrl url = RemoteUrl.parse(remoteUrl);
        if (!url.isHttps() || url.embeddedCredentials().isPresent()) {
            return Optional.empty();
        }
        String host = url.host();
        Optional<GitCredentials> specific = Optional.empty();
        if (GitHosts.gitLab(host)) {
            specific = pair(env, "GITLAB", "oauth2");
        } else if (GitHosts.gitHub(host)) {
            specific = pair(env, "GITHUB", "x-access-token");
        }
        if (specific.isPresent()) {
            return specific.map(GitCredential.class::cast);
        }
        Optional<GitCredentials> generic = pair(env, "KBSYNC_GIT", "git");
        if (generic.isEmpty() || genericHosts.isEmpty() || genericHosts.get().allows(url)) {
            return generic.map(GitCredential.class::cast);
        }
        return Optional.of(new Withheld("the remote asks for a credential and this worker has no credential for "
                + url.hostAndPort() + ": its KBSYNC_GIT_TOKEN goes only to the hosts in credentials.gitTokenHosts"
                + " (KBSYNC_CREDENTIALS_GIT_TOKEN_HOSTS); to fix, add this host there if the token is meant for it, or"
                + " register the KB with a credential reference"));
    }

    /** The username that goes with a bare token for {@code remoteUrl}'s host ({@link GitHosts#tokenUsername}). */
    public static String defaultUsername(String remoteUrl) {
        return GitHosts.tokenUsername(RemoteUrl.parse(remoteUrl).host());
    }

    private static Optional<GitCredentials> pair(Map<String, String> env, String prefix, String defaultUser) {
        String token = env.get(prefix + "_TOKEN");
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        String user = env.getOrDefault(prefix + "_USERNAME", "");
        return Optional.of(new GitCredentials(user.isBlank() ? defaultUser : user, token));
    }

    @Override
    public String toString() {
        return "GitCredentials[username=" + username + ", token=***]";
    }
}
