package dev.kbsync.cli;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.cli.log.LogFlags;
import dev.kbsync.cli.log.LogSetup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Shared flow of {@code note} and {@code agent}: submit, follow the job's events, print the outcome. */
abstract class SubmitCommand implements Callable<Integer> {
    @Mixin
    ClientFlags client;

    @Mixin
    LogFlags logs;

    @Option(names = "--kb", required = true, description = "The KB id, e.g. team.")
    String kb;

    @Option(names = "--user", required = true, description = "Who the change is for (commit author).")
    String user;

    @Option(names = "--idempotency-key", description = "Retrying with the same key returns the same job.")
    String idempotencyKey;

    @Option(names = "--no-wait", description = "Print the job id and return at once.")
    boolean noWait;

    /** Submits the job to {@code kb}. */
    abstract Job submit(KbsyncClient api, KbId kb);

    @Override
    public Integer call() {
        LogSetup.quiet(logs);
        KbId id;
        try {
            id = KbId.of(kb);
        } catch (InvalidInputException e) {
            System.err.println("error: " + e.code() + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (KbsyncClient api = client.client()) {
            Job job = submit(api, id);
            if (noWait) {
                System.out.println(job.id());
                return ExitCodes.OK;
            }
            // before the wait, whatever ends it (Ctrl-C, a killed process): the id finds the job later
            System.err.println("accepted job " + job.id() + " (Ctrl-C stops the wait, not the job)");
            return follow(api, job);
        } catch (KbsyncException e) {
            return ExitCodes.failed(e);
        }
    }

    private int follow(KbsyncClient api, Job submitted) {
        Progress progress = new Progress(System.out, System.console() != null);
        Job last = submitted;
        progress.show(submitted);
        try (EventStream<JobEvent> events = api.jobEvents(submitted.id())) {
            for (JobEvent event : events) {
                last = event.job();
                if (event.last()) {
                    break;
                }
                progress.show(last);
            }
            return progress.finish(last.state().terminal() ? last : api.job(submitted.id()));
        } catch (KbsyncException e) {
            progress.end();
            return ExitCodes.failed(
                    e,
                    "; job " + submitted.id() + " was accepted and may still land (kbsync jobs --kb " + kb + " --user "
                            + user + " shows it)");
        }
    }
}
