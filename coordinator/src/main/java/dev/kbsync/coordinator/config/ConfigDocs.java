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
            keys the same way (docs/worker-configuration.md).
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
            redis:
              address: redis://10.0.0.5:6379
            kbs:
              - {id: team-notes, remote: "git@github.com:acme/team-notes.git", branch: main}
              - {id: sensors, remote: "git@github.com:acme/sensors.git", branch: main, notePath: "readings/{shard}/{slug}.md"}
            """;

    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), markdown());
    }
}
