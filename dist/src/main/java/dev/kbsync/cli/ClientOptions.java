package dev.kbsync.cli;

import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the coordinator is and how to authenticate: flags, else KBSYNC_URL / KBSYNC_TOKEN. */
final class ClientOptions {
    @Option(
            names = "--url",
            description = "Coordinator base URL (env KBSYNC_URL, default http://127.0.0.1:8080).",
            defaultValue = "${env:KBSYNC_URL:-http://127.0.0.1:8080}")
    URI url;

    @Option(names = "--token", description = "Bearer token (env KBSYNC_TOKEN).", defaultValue = "${env:KBSYNC_TOKEN}")
    String token;

    ApiClient client() {
        return new ApiClient(url, Optional.ofNullable(token));
    }
}
