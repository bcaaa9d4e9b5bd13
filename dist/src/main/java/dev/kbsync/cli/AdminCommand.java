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
        subcommands = {AdminCommand.ForceRelease.class})
final class AdminCommand {
    /** {@code kbsync admin force-release --kb team}. */
    @Command(
            name = "force-release",
            mixinStandardHelpOptions = true,
            description = "End the KB's current grant, whoever holds it; the next waiter is granted."
                    + " A job that held it goes back to queued at the head and runs again.")
    static final class ForceRelease implements Callable<Integer> {
        @Mixin
        ClientFlags client;

        @Option(names = "--kb", required = true, converter = KbIdConverter.class, description = "The KB id.")
        KbId kb;

        @Override
        public Integer call() {
            try (KbsyncClient api = client.client()) {
                api.forceRelease(kb);
                System.out.println("released " + kb.value());
                return ExitCodes.OK;
            } catch (KbsyncException e) {
                return ExitCodes.failed(e);
            }
        }
    }
}
