package dev.kbsync.cli;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobQuery;
import dev.kbsync.api.KbId;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kbsync jobs [--kb team] [--state failed] [--user alice] [--limit 20]}: the job list, newest first. */
@Command(
        name = "jobs",
        mixinStandardHelpOptions = true,
        description = "List jobs, newest first (GET /v1/jobs), following pages up to --limit.")
final class JobsCommand implements Callable<Integer> {
    private static final int PAGE = 100;

    @Mixin
    ClientFlags client;

    @Option(names = "--kb", converter = KbIdConverter.class, description = "Only this KB.")
    KbId kb;

    @Option(names = "--state", description = "Only jobs in this state (queued, running, done, failed, ...).")
    String state;

    @Option(names = "--user", description = "Only this user's jobs.")
    String user;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many jobs (default 20).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1) {
            System.err.println("error: --limit must be at least 1");
            return ExitCodes.USAGE;
        }
        try (KbsyncClient api = client.client()) {
            List<Job> jobs = new ArrayList<>();
            JobQuery query = JobQuery.all().withKb(kb).withUser(user).withState(state);
            String cursor = null;
            do {
                JobPage page = api.jobs(
                        query.withLimit(Math.min(PAGE, limit - jobs.size())).after(cursor));
                jobs.addAll(page.jobs());
                cursor = page.nextCursor(); // a page may be short (even empty) with more after it
            } while (cursor != null && jobs.size() < limit);
            System.out.print(JobsView.render(
                    jobs.subList(0, Math.min(limit, jobs.size())),
                    Clock.systemUTC().instant()));
            return ExitCodes.OK;
        } catch (KbsyncException e) {
            return RouteHint.failed(e, "the job list (GET /v1/jobs)");
        }
    }
}
