package dev.kbsync.cli;

import dev.kbsync.api.client.CaFile;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where the coordinators are, how to trust them and how to authenticate: flags, else KBSYNC_URL / KBSYNC_CA_FILE /
 * KBSYNC_TOKEN. Several coordinator URLs (comma-separated, in order of preference) fail over as in the Java client.
 */
final class ClientFlags {
    @Option(
            names = "--url",
            description = "Coordinator base URL, or several comma-separated in order of preference (env KBSYNC_URL,"
                    + " default http://127.0.0.1:8080).",
            defaultValue = "${env:KBSYNC_URL:-http://127.0.0.1:8080}")
    String url;

    @Option(names = "--token", description = "Bearer token (env KBSYNC_TOKEN).", defaultValue = "${env:KBSYNC_TOKEN}")
    String token;

    @Option(
            names = "--ca-file",
            description =
                    "PEM CA certificate(s) the coordinator's HTTPS certificate must chain to (env KBSYNC_CA_FILE).",
            defaultValue = "${env:KBSYNC_CA_FILE}")
    Path caFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** A client of the coordinator; close it. A flag's bad value is a usage error (exit 2) that names the flag. */
    KbsyncClient client() {
        ClientOptions where =
                valid("--url (or KBSYNC_URL)", () -> ClientOptions.of(ClientOptions.parseUrls(url), null));
        ClientOptions options = valid("--token (or KBSYNC_TOKEN)", () -> where.withToken(token));
        return KbsyncClient.create(
                caFile == null
                        ? options
                        : valid("--ca-file (or KBSYNC_CA_FILE)", () -> options.withCaFile(CaFile.checked(caFile))));
    }

    private ClientOptions valid(String flag, Supplier<ClientOptions> options) {
        try {
            return options.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), flag + ": " + e.getMessage(), e);
        }
    }
}
