package dev.kbsync.api;

import java.util.Locale;

/**
 * The hosted git services a worker's default tokens and default user names are for, matched by exact host name: a
 * host whose name merely holds "gitlab" or "github" ({@code gitlab.evil.example}) is any other host.
 */
public final class GitHosts {
    private GitHosts() {}

    /** github.com and its subdomains. */
    public static boolean gitHub(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return name.equals("github.com") || name.endsWith(".github.com");
    }

    /** gitlab.com only: a self-hosted GitLab is named by a KB's credential reference or the generic default. */
    public static boolean gitLab(String host) {
        return host.toLowerCase(Locale.ROOT).equals("gitlab.com");
    }

    /** The user name {@code host} expects with a bare token: oauth2 (GitLab), x-access-token (GitHub), else git. */
    public static String tokenUsername(String host) {
        return gitLab(host) ? "oauth2" : gitHub(host) ? "x-access-token" : "git";
    }
}
