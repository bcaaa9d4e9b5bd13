package dev.kbsync.cli;

import dev.kbsync.api.KbId;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.event.KbRemovedEvent;
import dev.kbsync.api.event.QueueEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.cli.log.LogFlags;
import dev.kbsync.cli.log.LogSetup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kbsync queue [--kb team] [--watch]}: holders and waiters, live with --watch. */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Show KB queues: holder and waiters in order.")
final class QueueCommand implements Callable<Integer> {
    @Mixin
    ClientFlags client;

    @Mixin
    LogFlags logs;

    @Option(names = "--kb", description = "Only this KB.")
    String kb;

    @Option(names = "--watch", description = "Keep showing changes until interrupted.")
    boolean watch;

    @Override
    public Integer call() {
        LogSetup.quiet(logs);
        try (KbsyncClient api = client.client()) {
            if (watch) {
                try (EventStream<QueueEvent> events =
                        kb == null ? api.allQueueEvents() : api.queueEvents(KbId.of(kb))) {
                    for (QueueEvent event : events) {
                        if (event instanceof SnapshotEvent s) {
                            System.out.print(QueueView.render(s.snapshot()));
                        } else if (event instanceof KbRemovedEvent removed) { // --kb's stream ends with it
                            System.out.println(removed.kb().value() + "  removed");
                        }
                        System.out.flush();
                    }
                }
                return ExitCodes.OK;
            }
            if (kb != null) {
                System.out.print(QueueView.render(api.queue(KbId.of(kb))));
            } else {
                api.kbs().queues().forEach(queue -> System.out.print(QueueView.render(queue)));
            }
            return ExitCodes.OK;
        } catch (KbsyncException e) {
            return ExitCodes.failed(e);
        }
    }
}
