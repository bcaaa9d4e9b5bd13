package dev.kbsync.worker.credentials;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitCredential;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.RemoteUnavailableException;
import dev.kbsync.git.SshIdentity;
import dev.kbsync.git.TokenHosts;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a KB's credential reference into the {@link GitAuth} its checkout asks before every clone, fetch and push: the
 * reference is resolved again each time (a changed secret file, environment file or app key counts at once; GitHub App
 * tokens are cached until shortly before they expire). A KB without a reference uses the worker's environment defaults
 * (GITHUB_TOKEN, GITLAB_TOKEN, KBSYNC_GIT_TOKEN by host; the last only to {@code credentials.gitTokenHosts} when
 * set). Failures are {@link CredentialsUnavailableException}s that name the KB and the reference, never a secret.
 */
public final class CredentialResolver {
    private static final String GENERIC_TOKEN = "KBSYNC_GIT_TOKEN";
    private static final String ANY_HOST_WARNING = GENERIC_TOKEN + " is offered to any https:// host that a KB"
            + " registered without a credential reference names, so whoever may register a KB can receive it; set"
            + " credentials.gitTokenHosts (KBSYNC_CREDENTIALS_GIT_TOKEN_HOSTS) to the hosts it is for";

    private final Environment environment;
    private final SecretFiles files;
    private final GitHubAppTokens apps;
    private final String envPrefix;
    private final Optional<TokenHosts> gitTokenHosts;

    public CredentialResolver(CredentialSettings settings, Map<String, String> processEnvironment, Clock clock) {
        this.environment = new Environment(processEnvironment, settings.envFile());
        this.files = new SecretFiles(settings.fileDirs());
        this.apps = new GitHubAppTokens(clock, files, settings.githubApiHosts());
        this.envPrefix = settings.envPrefix();
        this.gitTokenHosts = settings.gitTokenHosts();
    }

    /**
     * What an operator should hear about these settings, if anything: the generic token set while
     * {@code credentials.gitTokenHosts} is not, so that it goes to any https host a KB without a reference names.
     */
    public Optional<String> genericTokenWarning() {
        boolean tokenSet;
        try {
            tokenSet = environment.get(GENERIC_TOKEN).isPresent();
        } catch (CredentialsUnavailableException e) { // an unreadable environment file: its jobs say so
            tokenSet = false;
        }
        return tokenSet && gitTokenHosts.isEmpty() ? Optional.of(ANY_HOST_WARNING) : Optional.empty();
    }

    /** The credential source of {@code kb}'s checkout. */
    public GitAuth forKb(KbConfig kb) {
        if (kb.credentials().isEmpty()) {
            return () -> GitCredentials.fromEnvironment(environment.snapshot(), kb.remote(), gitTokenHosts);
        }
        CredentialRef reference = kb.credentials().get();
        return () -> {
            try {
                return Optional.of(resolve(kb, reference));
            } catch (CredentialsUnavailableException e) {
                throw new CredentialsUnavailableException(
                        "credentials of KB " + kb.id() + " are unavailable: " + e.getMessage());
            } catch (RemoteUnavailableException e) { // the token API, for now: waited out like the remote
                throw new RemoteUnavailableException(
                        "credentials of KB " + kb.id() + " are unavailable for now: " + e.getMessage(), e);
            }
        };
    }

    private GitCredential resolve(KbConfig kb, CredentialRef reference) {
        if (reference instanceof CredentialRef.Env env) {
            return new GitCredentials(username(kb, env.username()), variable(env.variable()));
        }
        if (reference instanceof CredentialRef.File file) {
            return new GitCredentials(username(kb, file.username()), files.read(file.path()));
        }
        if (reference instanceof CredentialRef.GitHubApp app) {
            return apps.token(app);
        }
        CredentialRef.SshKey ssh = (CredentialRef.SshKey) reference;
        return new SshIdentity(
                files.checked(ssh.keyFile()),
                Optional.ofNullable(ssh.knownHosts()).map(files::checked),
                ssh.strictHostKeyChecking());
    }

    private String variable(String name) {
        if (!name.startsWith(envPrefix)
                || name.toUpperCase(java.util.Locale.ROOT).startsWith("KBSYNC_")) {
            throw new CredentialsUnavailableException("environment variable " + name
                    + " may not be used by KB registrations on this worker (credentials.envPrefix: '" + envPrefix
                    + "')");
        }
        return environment
                .get(name)
                .orElseThrow(() -> new CredentialsUnavailableException(
                        "environment variable " + name + " is not set on this worker"));
    }

    private static String username(KbConfig kb, String username) {
        return username != null ? username : GitCredentials.defaultUsername(kb.remote());
    }
}
