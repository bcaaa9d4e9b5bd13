package dev.kbsync.cli;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code kbsync retry JOB}: submits a failed or cancelled job again (the submitting client, or admin). */
@Command(
        name = "retry",
        mixinStandardHelpOptions = true,
        description = "Submit a failed or cancelled job again as a new job (POST /v1/jobs/{id}/retry); prints the new"
                + " job's id, the same one for the same retry repeated.")
final class RetryCommand implements Callable<Integer> {
    @Mixin
    ClientFlags client;

    @Parameters(
            index = "0",
            paramLabel = "JOB",
            converter = JobIdConverter.class,
            description = "The id of the failed or cancelled job.")
    String jobId;

    @Override
    public Integer call() {
        try (KbsyncClient api = client.client()) {
            System.out.println(api.retry(jobId).id());
            return ExitCodes.OK;
        } catch (KbsyncException e) {
            return RouteHint.failed(e, "retrying jobs (POST /v1/jobs/{id}/retry)");
        }
    }
}
