package dev.kbsync.cli;

import dev.kbsync.api.Job;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code kbsync cancel JOB}: cancels a job that has not started pushing (the submitting client, or admin). */
@Command(
        name = "cancel",
        mixinStandardHelpOptions = true,
        description = "Cancel a queued job (DELETE /v1/jobs/{id}); a job already pushing cannot be cancelled.")
final class CancelCommand implements Callable<Integer> {
    @Mixin
    ClientFlags client;

    @Parameters(index = "0", paramLabel = "JOB", converter = JobIdConverter.class, description = "The job id.")
    String jobId;

    @Override
    public Integer call() {
        try (KbsyncClient api = client.client()) {
            Job job = api.cancel(jobId);
            System.out.println(job.id() + ": " + job.state().wire());
            return ExitCodes.OK;
        } catch (KbsyncException e) {
            return RouteHint.failed(e, "cancelling jobs (DELETE /v1/jobs/{id})");
        }
    }
}
