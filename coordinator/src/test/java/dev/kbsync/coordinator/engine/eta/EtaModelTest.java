package dev.kbsync.coordinator.engine.eta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.engine.eta.HoldStats.Hold;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model is a pure function of the stored state: each case gives it a queue, statistics and a reference time. */
class EtaModelTest {
    private static final long T0 = 1_000_000;
    /** Notes take 2 s (sd 0.5 s), agents 20 s (sd 5 s), raw leases 10 s (sd 3 s); group commits of 4. */
    private static final HoldStats STATS = new HoldStats(
            Map.of(
                    HoldKind.NOTE, new Hold(2_000, 500.0 * 500, 10),
                    HoldKind.AGENT, new Hold(20_000, 5_000.0 * 5_000, 10),
                    HoldKind.LEASE, new Hold(10_000, 3_000.0 * 3_000, 10)),
            HoldStats.NO_CLAIM,
            HoldStats.NO_CLAIM,
            4,
            0,
            0);

    @Test
    void shouldWaitForNothingFirstInLine() {
        assertThat(EtaModel.estimate(HoldKind.NOTE, 0, null, List.of(), T0, STATS))
                .isEqualTo(Eta.NONE);
    }

    @Test
    void shouldCountTheHoldersElapsedTimeAgainstItsTypicalHold() {
        Holding agent = new Holding(Waiting.agent(), T0 - 15_000, 0, false);

        Eta eta = EtaModel.estimate(HoldKind.LEASE, 1, agent, List.of(), T0, STATS);

        assertThat(eta.etaMs()).as("20 s typical, 15 s held").isEqualTo(5_000);
        assertThat(eta.p90Ms())
                .as("its spread, and the error of a mean measured over 10 holds (counted as 9)")
                .isEqualTo(5_000 + Math.round(1.2816 * Math.sqrt(5_000.0 * 5_000 + 5_000.0 * 5_000 / 9)));
    }

    @Test
    void shouldExpectAQuarterOfTheTypicalHoldMoreFromAHolderThatOverranIt() {
        Holding agent = new Holding(Waiting.agent(), T0 - 60_000, 0, false);

        assertThat(EtaModel.estimate(HoldKind.NOTE, 1, agent, List.of(), T0, STATS)
                        .etaMs())
                .isEqualTo(5_000);
    }

    @Test
    void shouldEndARawLeaseHoldAtItsExpiryAtTheLatest() {
        Holding lease = new Holding(Waiting.lease(60_000), T0 - 1_000, T0 + 3_000, false);

        assertThat(EtaModel.estimate(HoldKind.NOTE, 1, lease, List.of(), T0, STATS)
                        .etaMs())
                .as("10 s typical, but it expires in 3 s unless renewed")
                .isEqualTo(3_000);
    }

    @Test
    void shouldUseTheDeclaredTtlOfARawLeaseWhenNoLeaseHoldWasMeasured() {
        Holding lease = new Holding(Waiting.lease(60_000), T0, T0 + 60_000, false);

        List<Waiting> threeNotes = Collections.nCopies(3, Waiting.note());

        Eta note = EtaModel.estimate(HoldKind.NOTE, 4, lease, threeNotes, T0, HoldStats.EMPTY);
        Eta agent = EtaModel.estimate(HoldKind.AGENT, 4, lease, threeNotes, T0, HoldStats.EMPTY);

        assertThat(note.etaMs())
                .as(
                        "the issue's case: a 60 s lease ahead is 60 s, not <1 s; the note joins the three notes' group commit")
                .isEqualTo(60_000);
        assertThat(note.p90Ms()).isGreaterThan(note.etaMs());
        assertThat(agent.etaMs())
                .as("an agent job waits for that group commit too")
                .isEqualTo(62_000);
    }

    @Test
    void shouldCostOneNoteHoldPerGroupCommitOfConsecutiveNotes() {
        List<Waiting> nineNotes = Collections.nCopies(9, Waiting.note());

        Eta agent = EtaModel.estimate(HoldKind.AGENT, 9, null, nineNotes, T0, STATS);

        assertThat(agent.etaMs()).as("9 notes in group commits of 4: 3 holds").isEqualTo(6_000);
        assertThat(agent.p90Ms())
                .as("three independent spreads, and three times the same error of the mean")
                .isEqualTo(6_000 + Math.round(1.2816 * Math.sqrt(3 * 500.0 * 500 + Math.pow(3 * 500.0 / 3, 2))));
    }

    @Test
    void shouldLetANoteJoinTheGroupCommitAheadOfIt() {
        List<Waiting> ahead = List.of(Waiting.agent(), Waiting.note(), Waiting.note());

        assertThat(EtaModel.estimate(HoldKind.NOTE, 3, null, ahead, T0, STATS).etaMs())
                .as("it runs with the two notes once the agent is done")
                .isEqualTo(20_000);
        assertThat(EtaModel.estimate(HoldKind.LEASE, 3, null, ahead, T0, STATS).etaMs())
                .isEqualTo(22_000);
    }

    @Test
    void shouldLetNotesBehindAnUnclaimedNoteGrantJoinIt() {
        Holding open = new Holding(Waiting.note(), T0, T0 + 30_000, true);
        Holding claimed = new Holding(Waiting.note(), T0, T0 + 30_000, false);

        assertThat(EtaModel.estimate(HoldKind.NOTE, 2, open, List.of(Waiting.note()), T0, STATS))
                .isEqualTo(Eta.NONE);
        assertThat(EtaModel.estimate(HoldKind.NOTE, 2, claimed, List.of(Waiting.note()), T0, STATS)
                        .etaMs())
                .as("the claimed head took its members already: this note is the next group commit's")
                .isEqualTo(2_000);
    }

    @Test
    void shouldAddTheMeasuredWaitForAWorkerToAJobOnly() {
        HoldStats slowWorkers =
                new HoldStats(STATS.holds(), new Hold(700, 100.0 * 100, 10), null, STATS.batchSize(), 0, 0);
        Holding open = new Holding(Waiting.note(), T0, T0 + 30_000, true);

        assertThat(EtaModel.estimate(HoldKind.NOTE, 1, open, List.of(), T0, slowWorkers)
                        .etaMs())
                .as("it joins the unclaimed note grant's group commit once a worker claims that")
                .isEqualTo(700);
        assertThat(EtaModel.estimate(HoldKind.AGENT, 1, null, List.of(), T0, slowWorkers)
                        .etaMs())
                .isEqualTo(700);
        assertThat(EtaModel.estimate(HoldKind.LEASE, 1, null, List.of(), T0, slowWorkers))
                .as("a raw lease needs no worker")
                .isEqualTo(Eta.NONE);
        assertThat(HoldStats.fromJson(new JsonObject("{\"claim:m\":700,\"claim:v\":10000,\"claim:n\":10}"))
                        .claim())
                .isEqualTo(new Hold(700, 10_000, 10));
    }

    @Test
    void shouldWaitForTheMeasuredJoinAsAMemberOfAGroupCommit() {
        HoldStats measured =
                new HoldStats(STATS.holds(), new Hold(700, 100.0 * 100, 10), new Hold(900, 200.0 * 200, 10), 4, 0, 0);
        Holding open = new Holding(Waiting.note(), T0, T0 + 30_000, true);

        assertThat(EtaModel.estimate(HoldKind.NOTE, 1, open, List.of(), T0, measured)
                        .etaMs())
                .as("it runs once the head's worker claimed it and took its members")
                .isEqualTo(900);
        assertThat(EtaModel.estimate(HoldKind.NOTE, 3, null, List.of(Waiting.agent(), Waiting.note()), T0, measured)
                        .etaMs())
                .as("a member of a later group commit: that head's wait, then its join")
                .isEqualTo(20_000 + 900);
        assertThat(EtaModel.estimate(HoldKind.AGENT, 1, null, List.of(), T0, measured)
                        .etaMs())
                .as("a head waits for its own claim only")
                .isEqualTo(700);
        assertThat(HoldStats.fromJson(new JsonObject("{\"claim:m\":700,\"claim:v\":10000,\"claim:n\":10}"))
                        .join())
                .as("until a join was measured: the claim wait")
                .isEqualTo(new Hold(700, 10_000, 10));
        assertThat(HoldStats.fromJson(new JsonObject("{\"join:m\":900,\"join:v\":40000,\"join:n\":3}"))
                        .join())
                .isEqualTo(new Hold(900, 40_000, 3));
    }

    @Test
    void shouldSpreadAGuessedHoldAsWidelyAsItsMean() {
        Holding lease = new Holding(Waiting.lease(10_000), T0, T0 + 10_000, false);

        Eta eta = EtaModel.estimate(HoldKind.LEASE, 1, lease, List.of(), T0, HoldStats.EMPTY);

        assertThat(eta.etaMs()).as("its declared TTL, nothing measured").isEqualTo(10_000);
        assertThat(eta.p90Ms())
                .as("a standard deviation of the mean itself, and as much again for the error of a guessed mean")
                .isEqualTo(10_000 + Math.round(1.2816 * Math.sqrt(2 * 10_000.0 * 10_000)));
    }

    @Test
    void shouldScaleThePlacesBeyondTheScannedOnes() {
        List<Waiting> leases = Collections.nCopies(EtaModel.SCANNED, Waiting.lease(0));

        assertThat(EtaModel.estimate(HoldKind.LEASE, 2L * EtaModel.SCANNED, null, leases, T0, STATS)
                        .etaMs())
                .isEqualTo(2L * EtaModel.SCANNED * 10_000);
    }

    @Test
    void shouldChangeOnlyWithTheReferenceTimeNotWithTheClock() {
        Holding agent = new Holding(Waiting.agent(), T0, 0, false);
        List<Waiting> ahead = List.of(Waiting.lease(0));

        Eta atJoin = EtaModel.estimate(HoldKind.NOTE, 2, agent, ahead, T0 + 4_000, STATS);

        assertThat(EtaModel.estimate(HoldKind.NOTE, 2, agent, ahead, T0 + 4_000, STATS))
                .isEqualTo(atJoin);
        assertThat(atJoin.etaMs()).isEqualTo(16_000 + 10_000);
    }

    @Test
    void shouldReadTheScriptsStatistics() {
        HoldStats stats = HoldStats.fromJson(new JsonObject(
                "{\"note:m\":1500,\"note:v\":250000,\"note:n\":3,\"batch\":8,\"moved\":12345,\"avg\":900}"));

        assertThat(stats.batchSize()).isEqualTo(8);
        assertThat(stats.movedMs()).isEqualTo(12_345);
        assertThat(stats.typical(Waiting.note())).isEqualTo(new Hold(1_500, 250_000, 3));
        assertThat(stats.typical(Waiting.lease(7_000)).meanMs())
                .as("no lease hold measured: the KB's average of any kind")
                .isEqualTo(900);
        assertThat(stats.typical(Waiting.agent()).meanMs()).isEqualTo(900);
        assertThat(HoldStats.EMPTY.typical(Waiting.lease(7_000)).meanMs())
                .as("nothing measured on the KB: its TTL")
                .isEqualTo(7_000);
        assertThat(HoldStats.EMPTY.typical(Waiting.agent()).meanMs()).isEqualTo(HoldStats.DEFAULT_AGENT_MS);
        assertThat(HoldStats.fromJson(new JsonObject()).batchSize()).isEqualTo(HoldStats.DEFAULT_BATCH);
    }

    @Test
    void shouldParseTheScriptsCodes() {
        assertThat(Waiting.parse("n")).isEqualTo(Waiting.note());
        assertThat(Waiting.parse("a")).isEqualTo(Waiting.agent());
        assertThat(Waiting.parse("l30000")).isEqualTo(Waiting.lease(30_000));
    }
}
