package dev.kbsync.cli;

import dev.kbsync.cli.stack.StackOptions;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Flags shared by {@code up} and {@code demo}. */
final class StackFlags {
    @Option(
            names = "--data-dir",
            description = "Where the embedded stack keeps its files (default: ${DEFAULT-VALUE}).",
            defaultValue = ".kbsync")
    Path dataDir;

    @Option(names = "--redis", description = "Join this Redis (redis://host:port) instead of starting an embedded one.")
    String redis;

    @Option(names = "--workers", description = "In-process workers (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int workers;

    StackOptions options(int port) {
        return new StackOptions(dataDir, Optional.ofNullable(redis), port, workers);
    }
}
