package dev.kbsync.coordinator.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generates {@code docs/configuration.md} from {@link ConfigKey}; {@code main(path)} writes it. */
public final class ConfigDocs {
    private ConfigDocs() {}

    /** The full Markdown page. */
    public static String markdown() {
        StringBuilder out = new StringBuilder()
                .append("# Coordinator configuration\n\n")
                .append("Generated from `ConfigKey` by `ConfigDocs` (a test fails when this page is stale;\n")
                .append("regenerate with `ConfigDocs.main(\"docs/configuration.md\")`).\n\n")
                .append("Keys come from a YAML file (`--config file.yaml`, nested by the dots of the key) and from\n")
                .append("environment variables, which override the file. Unknown YAML keys are an error.\n\n")
                .append("| key | environment | default | meaning |\n")
                .append("| --- | --- | --- | --- |\n");
        for (ConfigKey key : ConfigKey.values()) {
            out.append("| `")
                    .append(key.path())
                    .append("` | `")
                    .append(key.env())
                    .append("` | `")
                    .append(key.defaultText())
                    .append("` | ")
                    .append(key.description().replace("|", "\\|"))
                    .append(" |\n");
        }
        return out.append(EXAMPLE).toString();
    }

    private static final String EXAMPLE = """

            ## Example

            ```yaml
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
            ```
            """;

    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), markdown());
    }
}
