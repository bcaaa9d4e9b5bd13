package dev.kbsync.worker.process;

import dev.kbsync.config.ConfigPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generates {@code docs/worker-configuration.md} from {@link WorkerConfigKey}; {@code main(path)} writes it. */
public final class WorkerConfigDocs {
    private WorkerConfigDocs() {}

    public static String markdown() {
        return ConfigPage.markdown("Worker configuration", INTRO, WorkerConfigLoader.KEYS.keys(), EXAMPLE);
    }

    private static final String INTRO = """
            Generated from `WorkerConfigKey` by `WorkerConfigDocs` (a test fails when this page is stale;
            regenerate with `WorkerConfigDocs.main("docs/worker-configuration.md")`).

            Every key can be set in the environment or in a YAML file named by `KBSYNC_CONFIG`
            (`kbsync worker --config file.yaml`; nested by the dots of the key); the environment wins and a
            blank value counts as unset. A YAML key that is not in this table is an error that names the
            nearest valid key. The coordinator reads its own keys the same way (docs/configuration.md).
            Durations accept `500ms`, `30s`, `10m`, a bare number of seconds, or ISO-8601 (`PT30S`).
            Git credentials: a KB registered with a credential reference (an environment variable, a secret
            file, a GitHub App installation, an SSH key; docs/operations.md) uses it, resolved at every
            fetch and push within the `credentials.*` limits below; any other KB uses the host defaults
            `GITHUB_USERNAME`/`GITHUB_TOKEN` (github.com and its subdomains), `GITLAB_USERNAME`/`GITLAB_TOKEN`
            (gitlab.com only), `KBSYNC_GIT_USERNAME`/`KBSYNC_GIT_TOKEN` (any other host: only those in
            `credentials.gitTokenHosts` when it is set, any when not), `https://` remotes only:
            no token goes to a plain `http://` remote (loopback included), where it would travel in clear text (a
            KB's own token credential fails its jobs there with `CREDENTIALS_UNAVAILABLE`, unsent).
            Hosts match by exact name: a self-hosted GitLab (`gitlab.example.com`) gets the generic pair, so give
            its KBs a credential reference (`{env: TEAM_GITLAB_TOKEN, username: oauth2}`, or a `file`) or set
            `KBSYNC_GIT_USERNAME=oauth2` with its token in `KBSYNC_GIT_TOKEN`. Secrets are never written to disk.
            """;

    private static final String EXAMPLE = """
            coordinator:
              url: [https://kbsync-a.internal:8080, https://kbsync-b.internal:8080]
              token: change-me-worker-001
              caFile: /etc/kbsync/ca.pem
            worker:
              id: worker-a
              http: {host: 0.0.0.0, port: 9090}
            cache:
              dir: /var/cache/kbsync
              minFreeMegabytes: 500
            concurrency: 4
            agent:
              command: [/opt/agents/kb-agent, --model, small]
              timeout: 4m
            credentials:
              envFile: /run/secrets/kbsync-worker.env
              fileDirs: /run/secrets,/etc/kbsync/ssh
              envPrefix: KB_
              gitTokenHosts: [git.example.com, "*.git.example.com"]
            """;

    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), markdown());
    }
}
