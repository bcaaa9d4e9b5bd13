package dev.kbsync.cli;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kbsync workers}: every worker the coordinators heard from, what each runs, which checkouts it keeps. */
@Command(
        name = "workers",
        mixinStandardHelpOptions = true,
        description = "Show workers: up or gone, slots, running jobs, KB checkouts (GET /v1/workers).")
final class WorkersCommand implements Callable<Integer> {
    @Mixin
    ClientFlags client;

    @Override
    public Integer call() {
        try (KbsyncClient api = client.client()) {
            System.out.print(WorkersView.render(
                    api.workers().workers(), Clock.systemUTC().instant()));
            return ExitCodes.OK;
        } catch (KbsyncException e) {
            return ExitCodes.failed(e);
        }
    }
}
