package dev.kbsync.coordinator.engine.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.coordinator.engine.eta.Eta;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** view.lua's reply as the script writes it (cjson: an empty array comes as {}), read into a queue view. */
class KbViewTest {
    private static final KbId KB = KbId.of("team");

    @Test
    void shouldPutGrantedTicketAsHolderAndTheRestAsWaitersInOrder() {
        KbView view = Records.kbView(KB, new JsonObject("""
                {"grant":{"ticket":"t1","lease":"team~t1","fence":7,"granted":1000,"expires":31000,"deadline":301000,
                  "ttl":30000,"claimed":false,"members":{},"done":false},
                 "avg":2000,"now":5000,
                 "rows":[{"ticket":"t1","t":{"k":"lease","h":"bot","c":500,"ttl":30000,"th":1,"s":"granted","a":0}},
                         {"ticket":"j2","t":{"k":"job","h":"ann","c":900,"ttl":30000,"th":2,"s":"waiting","a":1,
                           "js":"queued","ty":"note"}}]}"""));

        QueueSnapshot snapshot = view.snapshot();

        assertThat(snapshot.holder()).hasValueSatisfying(h -> {
            assertThat(h.ticketId()).isEqualTo("t1");
            assertThat(h.fencingToken()).isEqualTo(7L);
            assertThat(h.waitedMs()).isEqualTo(4000);
        });
        assertThat(snapshot.waiters()).singleElement().satisfies(w -> {
            assertThat(w.jobId()).isEqualTo("team~j2");
            assertThat(w.waitedMs()).isEqualTo(4100);
        });
        assertThat(snapshot.avgHoldMs()).isEqualTo(2000);
        assertThat(view.state(view.rows().get(0))).isEqualTo("granted");
        assertThat(view.state(view.rows().get(1))).isEqualTo("queued");
        assertThat(view.etas().get(1))
                .as(
                        "the raw lease holds its declared TTL (nothing measured yet), spread as widely as that mean, a guess's"
                                + " error as large")
                .isEqualTo(new Eta(30_000, 84_374));
        assertThat(snapshot.waiters().get(0).etaMs()).isEqualTo(30_000);
        assertThat(snapshot.waiters().get(0).etaP90Ms()).isEqualTo(84_374);
        assertThat(snapshot.waiters().get(0).etaFrom())
                .as("counted from the last change of its place: the grant at 1000, after it joined at 900")
                .hasToString("1970-01-01T00:00:01Z");
        assertThat(snapshot.holder().orElseThrow().etaMs()).isNull();
        assertThat(snapshot.holder().orElseThrow().etaFrom()).isNull();
        assertThat(view.lease(view.rows().get(0), 0).state()).isEqualTo(LeaseState.GRANTED);
        assertThat(view.lease(view.rows().get(0), 0).deadlineAt()).hasToString("1970-01-01T00:05:01Z");
    }

    @Test
    void shouldShowGroupCommitMembersAsRunning() {
        KbView view = Records.kbView(KB, new JsonObject("""
                {"grant":{"ticket":"j1","lease":"team~j1.3.ab","fence":3,"granted":1000,"expires":31000,
                  "deadline":301000,"ttl":30000,"claimed":true,"members":["j2"],"done":false},
                 "avg":0,"now":5000,
                 "rows":[{"ticket":"j1","t":{"k":"job","h":"ann","c":500,"ttl":30000,"th":1,"s":"granted","a":1}},
                         {"ticket":"j2","t":{"k":"job","h":"bob","c":900,"ttl":30000,"th":2,"s":"granted","a":1}},
                         {"ticket":"j3","t":{"k":"job","h":"cy","c":950,"ttl":30000,"th":3,"s":"waiting","a":0}}]}
                """));

        assertThat(view.rows()).extracting(view::state).containsExactly("running", "running", "queued");
        QueueSnapshot snapshot = view.snapshot();
        assertThat(snapshot.holder())
                .hasValueSatisfying(h -> assertThat(h.jobId()).isEqualTo("team~j1"));
        assertThat(snapshot.running()).extracting(QueueEntry::jobId).containsExactly("team~j2");
        assertThat(snapshot.waiters()).extracting(QueueEntry::jobId).containsExactly("team~j3");
        assertThat(snapshot.toJson().getJsonArray("running")).hasSize(1);
    }

    @Test
    void shouldReadEmptyQueue() {
        KbView view = Records.kbView(KB, new JsonObject("{\"avg\":0,\"now\":5000,\"rows\":{}}"));

        assertThat(view.rows()).isEmpty();
        assertThat(view.snapshot().holder()).isEmpty();
    }
}
