package dev.kbsync.coordinator.config;

import dev.kbsync.config.ConfigPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generates {@code docs/configuration.md} from {@link ConfigKey}; {@code main(path)} writes it. */
public final class ConfigDocs {
    private ConfigDocs() {}

    /** The full Markdown page. */
    public static String markdown() {
        return ConfigPage.markdown("Coordinator configuration", INTRO, ConfigLoader.KEYS.keys(), EXAMPLE);
    }

    private static final String INTRO = """
            Generated from `ConfigKey` by `ConfigDocs` (a test fails when this page is stale;
            regenerate with `ConfigDocs.main("docs/configuration.md")`).

            Keys come from a YAML file (`--config file.yaml`, nested by the dots of the key) and from
            environment variables, which override the file; a blank value counts as unset. A YAML key that
            is not in this table is an error that names the nearest valid key. The worker reads its own
            keys the same way (docs/worker-configuration.md). Sharing one deployment between teams (scoped
            tokens, KB credentials, TLS) is described in docs/operations.md.
            """;

    private static final String EXAMPLE = """
            http:
              host: 0.0.0.0
              port: 8080
            auth:
              tokens:
                - {role: admin, token: change-me-admin-0001}
                - {role: worker, token: change-me-worker-001}
                - {role: client, token: change-me-client-001}
                # team A's bot: only team-a-* KBs, only as discord-* users, 500 submissions per window;
                # the config holds the token's SHA-256 only (echo -n "$TOKEN" | sha256sum)
                - role: client
                  name: team-a-bot
                  token: "sha256:0b5e0a3f3bd7f4ac8e2c1b4dbb55e6c0e43d76bf3e2c09cd1c6a3b6a1f9d2e47"
                  kbs: ["team-a-*"]
                  users: ["discord-*"]
                  quota: 500
            rateLimit:
              kbSubmissions: 120
            redis:
              address: redis://10.0.0.5:6379
            kbs:
              - {id: team-notes, remote: "git@github.com:acme/team-notes.git", branch: main}
              - {id: sensors, remote: "git@github.com:acme/sensors.git", branch: main, notePath: "readings/{shard}/{slug}.md"}
              - id: team-a-handbook
                remote: https://github.com/acme-a/handbook.git
                credentials:
                  githubApp: {appId: 123456, installationId: 7890123, privateKeyFile: /run/secrets/team-a-app.pem}
            """;

    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), markdown());
    }
}
