package dev.kbsync.cli;

import dev.kbsync.api.KbId;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kbsync admin ...}: operator actions that need an admin token. */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Operator actions (admin token).",
        subcommands = {AdminCommand.ForceRelease.class, AdminCommand.RemoveKb.class})
final class AdminCommand {
    /** One admin action on one KB ({@code --kb}), its line on success, its exit code on failure. */
    abstract static class KbAction implements Callable<Integer> {
        @Mixin
        ClientFlags client;

        @Option(names = "--kb", required = true, converter = KbIdConverter.class, description = "The KB id.")
        KbId kb;

        @Override
        public Integer call() {
            try (KbsyncClient api = client.client()) {
                System.out.println(act(api) + " " + kb.value());
                return ExitCodes.OK;
            } catch (KbsyncException e) {
                return failed(e);
            }
        }

        /** Does the action; returns the word printed before the KB id. */
        abstract String act(KbsyncClient api);

        abstract int failed(KbsyncException e);
    }

    /** {@code kbsync admin force-release --kb team}. */
    @Command(
            name = "force-release",
            mixinStandardHelpOptions = true,
            description = "End the KB's current grant, whoever holds it; the next waiter is granted."
                    + " A job that held it goes back to queued at the head and runs again.")
    static final class ForceRelease extends KbAction {
        @Override
        String act(KbsyncClient api) {
            api.forceRelease(kb);
            return "released";
        }

        @Override
        int failed(KbsyncException e) {
            return ExitCodes.failed(e);
        }
    }

    /** {@code kbsync admin remove-kb --kb team}. */
    @Command(
            name = "remove-kb",
            mixinStandardHelpOptions = true,
            description = "Remove an idle KB (DELETE /v1/kbs/{kb}): its registration and queue; its finished jobs stay"
                    + " readable for the retention. Refused (exit 4, KB_BUSY, nothing removed) while its jobs are"
                    + " queued or running: cancel them or wait, then run it again.")
    static final class RemoveKb extends KbAction {
        @Override
        String act(KbsyncClient api) {
            api.deleteKb(kb);
            return "removed";
        }

        @Override
        int failed(KbsyncException e) {
            return RouteHint.failed(e, "removing KBs (DELETE /v1/kbs/{kb})");
        }
    }
}
