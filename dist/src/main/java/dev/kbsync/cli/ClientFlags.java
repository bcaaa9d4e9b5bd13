package dev.kbsync.cli;

import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import java.net.URI;
import picocli.CommandLine.Option;

/** Where the coordinator is and how to authenticate: flags, else KBSYNC_URL / KBSYNC_TOKEN. */
final class ClientFlags {
    @Option(
            names = "--url",
            description = "Coordinator base URL (env KBSYNC_URL, default http://127.0.0.1:8080).",
            defaultValue = "${env:KBSYNC_URL:-http://127.0.0.1:8080}")
    URI url;

    @Option(names = "--token", description = "Bearer token (env KBSYNC_TOKEN).", defaultValue = "${env:KBSYNC_TOKEN}")
    String token;

    /** A client of the coordinator; close it. */
    KbsyncClient client() {
        return KbsyncClient.create(ClientOptions.of(url, token));
    }
}
