package dev.kbsync.worker.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generates {@code docs/worker-configuration.md} from {@link WorkerConfigKey}; {@code main(path)} writes it. */
public final class WorkerConfigDocs {
    private WorkerConfigDocs() {}

    public static String markdown() {
        StringBuilder out = new StringBuilder()
                .append("# Worker configuration\n\n")
                .append(
                        "Generated from `WorkerConfigKey` by `WorkerConfigDocs` (a test fails when this page is stale;\n")
                .append("regenerate with `WorkerConfigDocs.main(\"docs/worker-configuration.md\")`).\n\n")
                .append("Every key can be set in the environment or in a YAML file named by `KBSYNC_CONFIG`\n")
                .append("(`kbsync worker --config file.yaml`; nested by the dots of the key); the environment wins.\n")
                .append("Durations accept `500ms`, `30s`, `10m`, a bare number of seconds, or ISO-8601 (`PT30S`).\n")
                .append("Git credentials: `GITHUB_USERNAME`/`GITHUB_TOKEN`, `GITLAB_USERNAME`/`GITLAB_TOKEN`,\n")
                .append("`KBSYNC_GIT_USERNAME`/`KBSYNC_GIT_TOKEN` (HTTPS remotes only, never written to disk).\n\n")
                .append("| key | environment | default | meaning |\n")
                .append("| --- | --- | --- | --- |\n");
        for (WorkerConfigKey key : WorkerConfigKey.values()) {
            out.append("| `")
                    .append(key.key())
                    .append("` | `")
                    .append(key.env())
                    .append("` | ")
                    .append(key.defaultValue().isEmpty() ? "(none)" : "`" + key.defaultValue() + "`")
                    .append(" | ")
                    .append(key.description().replace("|", "\\|"))
                    .append(" |\n");
        }
        return out.toString();
    }

    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), markdown());
    }
}
