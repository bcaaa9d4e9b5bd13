package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.TokenInfo;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.event.QueueEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.auth.Token;
import dev.kbsync.coordinator.testing.LogCapture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tokens scoped to KBs and users: refusals outside the scope (403 SCOPE_KB, SCOPE_USER) that change nothing, other
 * tenants' jobs and leases answered as missing (404), lists and streams filtered, token quotas and per-KB limits (429).
 */
class ScopeApiIT {
    private static final String BOT = "team-a-bot-token-0001";
    private static final String ONE_USER = "one-user-token-000001";
    private static final String TEAM_ADMIN = "team-a-admin-token-01";
    private static final String QUOTA = "quota-token-000000001";
    private static final String TEAM_B_ADMIN = "team-b-admin-token-01";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(
            Map.of("KBSYNC_TOKENS", "", "KBSYNC_KBS", "", "KBSYNC_RATE_LIMIT_SUBMISSIONS", "50"), """
            auth:
              tokens:
                - {token: %s, role: admin}
                - {token: %s, role: worker}
                - {token: %s, role: client}
                - {token: "sha256:%s", role: client, name: team-a-bot, kbs: ["team-a-*"], users: [alice, bob]}
                - {token: %s, role: client, name: one-user, kbs: [team-a-1], users: [bot-7]}
                - {token: %s, role: admin, name: team-a-admin, kbs: ["team-a-*"]}
                - {token: %s, role: client, name: quota-bot, quota: 2}
                - {token: %s, role: admin, name: team-b-admin, kbs: ["team-b-*", team-c]}
              scopedAdminMaxKbs: 5
            rateLimit: {kbSubmissions: 3}
            kbs:
              - {id: demo, remote: /srv/git/demo.git}
              - {id: team-a-1, remote: /srv/git/a1.git}
              - {id: team-a-2, remote: /srv/git/a2.git}
              - {id: team-a-3, remote: /srv/git/a3.git}
              - {id: team-a-4, remote: /srv/git/a4.git}
              - {id: quota-kb, remote: /srv/git/q.git}
              - {id: limited, remote: /srv/git/l.git}
            """.formatted(
                    ADMIN, ApiFixture.WORKER, CLIENT, Token.digestOf(BOT), ONE_USER, TEAM_ADMIN, QUOTA, TEAM_B_ADMIN));

    @Test
    void shouldRefuseSubmissionsOutsideTheTokensKbsAndUsersAndStoreNothing() {
        long calls = api.services.calls.get();
        assertError(note(BOT, "demo", "alice"), 403, "SCOPE_KB");
        assertError(note(BOT, "team-a-1", "carol"), 403, "SCOPE_USER");
        assertError(api.call(POST, "/v1/kbs/demo/leases", BOT, new JsonObject().put("holder", "h")), 403, "SCOPE_KB");
        assertThat(api.services.calls.get()).isEqualTo(calls);

        HttpResponse<Buffer> accepted = note(BOT, "team-a-1", "alice");
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
        assertThat(note(BOT, "demo", "alice").bodyAsString()).contains("demo").doesNotContain("alice\"");
    }

    @Test
    void shouldTellAnyTokenItsNameRoleScopeAndQuotaWithoutTheSecret() {
        HttpResponse<Buffer> bot = api.call(GET, "/v1/whoami", BOT);
        assertThat(bot.statusCode()).as(bot.bodyAsString()).isEqualTo(200);
        assertThat(bot.bodyAsJsonObject())
                .isEqualTo(new JsonObject()
                        .put("name", "team-a-bot")
                        .put("role", "client")
                        .put("kbs", new JsonArray().add("team-a-*"))
                        .put("users", new JsonArray().add("alice").add("bob"))
                        .put("quota", 0));
        assertThat(bot.bodyAsString()).doesNotContain(BOT).doesNotContain(Token.digestOf(BOT));

        JsonObject admin = api.call(GET, "/v1/whoami", ADMIN).bodyAsJsonObject();
        assertThat(admin.getString("role")).isEqualTo("admin");
        assertThat(admin.getJsonArray("kbs")).isEqualTo(new JsonArray().add("*"));
        assertThat(admin.getJsonArray("users")).isEqualTo(new JsonArray().add("*"));
        assertThat(api.call(GET, "/v1/whoami", ApiFixture.WORKER)
                        .bodyAsJsonObject()
                        .getString("role"))
                .isEqualTo("worker");
        assertThat(api.call(GET, "/v1/whoami", QUOTA).bodyAsJsonObject().getInteger("quota"))
                .isEqualTo(2);
        assertError(api.call(GET, "/v1/whoami", "not-a-token-00000000000"), 401, "UNAUTHENTICATED");
        assertError(api.call(GET, "/v1/whoami", null), 401, "UNAUTHENTICATED");

        TokenInfo seen = api.client(TEAM_ADMIN).whoami();
        assertThat(seen).isEqualTo(new TokenInfo("team-a-admin", "admin", List.of("team-a-*"), List.of("*"), 0));
        assertThat(seen.admin()).isTrue();
    }

    @Test
    void shouldSubmitAsTheTokensOneUserWhenTheBodyNamesNone() {
        HttpResponse<Buffer> response =
                api.call(POST, "/v1/kbs/team-a-1/notes", ONE_USER, new JsonObject().put("text", "from the bot"));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
        assertThat(response.bodyAsJsonObject().getString("user")).isEqualTo("bot-7");
        assertError(note(ONE_USER, "team-a-1", "mallory"), 403, "SCOPE_USER");
        assertError(
                api.call(POST, "/v1/kbs/team-a-1/notes", BOT, new JsonObject().put("text", "x")), 400, "MISSING_FIELD");
    }

    @Test
    void shouldAnswerAnotherTenantsJobAsMissing() {
        String other = note(CLIENT, "demo", "zed").bodyAsJsonObject().getString("id");
        String otherUser = note(CLIENT, "team-a-2", "carol").bodyAsJsonObject().getString("id");
        String own = note(BOT, "team-a-2", "bob").bodyAsJsonObject().getString("id");

        HttpResponse<Buffer> hidden = api.call(GET, "/v1/jobs/" + other, BOT);
        assertError(hidden, 404, "JOB_NOT_FOUND");
        assertThat(hidden.bodyAsJsonObject().getJsonObject("error").getString("message"))
                .as("the engine's own answer for a job that does not exist")
                .isEqualTo("no job " + Quoting.quote(other));
        assertError(api.call(GET, "/v1/jobs/" + otherUser, BOT), 404, "JOB_NOT_FOUND");
        assertError(api.call(GET, "/v1/jobs/" + other + "/events", BOT), 404, "JOB_NOT_FOUND");
        assertThat(api.call(GET, "/v1/jobs/" + own, BOT).statusCode()).isEqualTo(200);
        assertThat(api.call(GET, "/v1/jobs/" + other, CLIENT).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswerAnotherTenantsLeaseAsMissing() {
        String lease = api.call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject().put("holder", "other"))
                .bodyAsJsonObject()
                .getString("id");
        for (var request : Map.of(GET, "", POST, "/heartbeat", DELETE, "").entrySet()) {
            assertError(
                    api.call(request.getKey(), "/v1/leases/" + lease + request.getValue(), BOT),
                    404,
                    "LEASE_NOT_FOUND");
        }
        assertThat(api.call(GET, "/v1/leases/" + lease, CLIENT).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldListAndStreamOnlyTheTokensKbs() {
        JsonObject overview = api.call(GET, "/v1/kbs", BOT).bodyAsJsonObject();
        assertThat(overview.getJsonArray("kbs").stream().map(kb -> ((JsonObject) kb).getString("id")))
                .contains("team-a-1", "team-a-2", "team-a-3")
                .allMatch(id -> id.startsWith("team-a-"));
        assertThat(overview.getJsonArray("queues").stream().map(q -> ((JsonObject) q).getString("kb")))
                .contains("team-a-1", "team-a-2", "team-a-3")
                .allMatch(id -> id.startsWith("team-a-"));
        assertError(api.call(GET, "/v1/kbs/demo/queue", BOT), 403, "SCOPE_KB");
        assertError(api.call(GET, "/v1/kbs/demo/events", BOT), 403, "SCOPE_KB");

        try (EventStream<QueueEvent> all = api.client(BOT).allQueueEvents()) {
            for (int i = 0; i < overview.getJsonArray("kbs").size(); i++) { // the first snapshots: team-a-* only
                assertThat(((SnapshotEvent) all.next(WAIT)).snapshot().kb().value())
                        .startsWith("team-a-");
            }
            api.call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject().put("holder", "other-team"));
            api.call(POST, "/v1/kbs/team-a-3/leases", BOT, new JsonObject().put("holder", "own-team"));
            KbId seen;
            do { // changes of other team-a KBs may come first; demo's never
                seen = ((SnapshotEvent) all.next(WAIT)).snapshot().kb();
                assertThat(seen.value()).startsWith("team-a-");
            } while (!seen.equals(KbId.of("team-a-3")));
        }
    }

    @Test
    void shouldShowAScopedTokenOnlyItsKbsInTheWorkersView() {
        JsonObject presence = WorkersApiIT.presence()
                .put("slots", 3)
                .put("idleSlots", 1)
                .put(
                        "running",
                        new JsonArray()
                                .add(running(1, "team-a-1", "team-a-1~aa"))
                                .add(running(2, "demo", "demo~bb")))
                .put("checkouts", new JsonArray().add(checkout("team-a-2")).add(checkout("demo")));
        api.call(PUT, "/v1/workers/scoped-view", ApiFixture.WORKER, presence);

        JsonObject seen = worker(BOT);
        assertThat(seen.getJsonArray("running").stream().map(r -> ((JsonObject) r).getString("kb")))
                .containsExactly("team-a-1");
        assertThat(seen.getJsonArray("checkouts").stream().map(c -> ((JsonObject) c).getString("kb")))
                .containsExactly("team-a-2");
        assertThat(seen.getInteger("slots")).isEqualTo(3);
        assertThat(worker(ADMIN).getJsonArray("running")).hasSize(2);
    }

    private static JsonObject worker(String token) {
        return api.call(GET, "/v1/workers", token).bodyAsJsonObject().getJsonArray("workers").stream()
                .map(JsonObject.class::cast)
                .filter(w -> w.getString("id").equals("scoped-view"))
                .findFirst()
                .orElseThrow();
    }

    private static JsonObject running(int slot, String kb, String job) {
        return new JsonObject()
                .put("slot", slot)
                .put("kb", kb)
                .put("jobId", job)
                .put("since", "2026-11-29T07:00:05Z");
    }

    private static JsonObject checkout(String kb) {
        return new JsonObject().put("kb", kb).put("commit", "0".repeat(40)).put("at", "2026-11-29T07:00:05Z");
    }

    @Test
    void shouldKeepAScopedAdminToItsKbsAndOffEveryKbEndpoint() {
        JsonObject kb = new JsonObject()
                .put("remote", "https://git.example.org/team-a/new.git")
                .put("branch", "main");
        assertThat(api.call(PUT, "/v1/kbs/team-a-new", TEAM_ADMIN, kb).statusCode())
                .isEqualTo(200);
        long calls = api.services.calls.get();
        assertError(api.call(PUT, "/v1/kbs/demo", TEAM_ADMIN, kb), 403, "SCOPE_KB");
        assertError(api.call(POST, "/v1/admin/kbs/demo/force-release", TEAM_ADMIN), 403, "SCOPE_KB");
        assertError(
                api.call(POST, "/v1/workers/w1/poll", TEAM_ADMIN, new JsonObject().put("waitMs", 0)), 403, "SCOPE_KB");
        assertError(api.call(GET, "/metrics", TEAM_ADMIN), 403, "SCOPE_KB");
        assertError(api.call(GET, "/metrics", BOT), 403, "SCOPE_KB");
        assertThat(api.services.calls.get()).isEqualTo(calls);
        assertThat(api.call(GET, "/metrics", CLIENT).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldLetOnlyAnUnscopedAdminRegisterALocalPathOrFileRemote() {
        long calls = api.services.calls.get();
        for (String remote : List.of("/srv/git/a1.git", "file:///srv/git/demo.git", "file:/srv/git/demo.git")) {
            JsonObject kb = new JsonObject().put("remote", remote).put("branch", "main");
            HttpResponse<Buffer> refused = api.call(PUT, "/v1/kbs/team-a-local", TEAM_ADMIN, kb);
            if (remote.equals("file:/srv/git/demo.git")) { // not a remote form kbsync takes at all
                assertError(refused, 400, "INVALID_REMOTE");
                continue;
            }
            assertError(refused, 403, "LOCAL_REMOTE_FORBIDDEN");
            assertError(api.call(PUT, "/v1/kbs/team-a-2", TEAM_ADMIN, kb), 403, "LOCAL_REMOTE_FORBIDDEN");
        }
        assertThat(api.services.calls.get()).as("nothing stored").isEqualTo(calls);
        assertThat(kbIds(ADMIN)).doesNotContain("team-a-local");

        JsonObject local =
                new JsonObject().put("remote", "file:///srv/git/local.git").put("branch", "main");
        assertThat(api.call(PUT, "/v1/kbs/team-a-local", ADMIN, local).statusCode())
                .isEqualTo(200);
        assertThat(kbIds(TEAM_ADMIN)).contains("team-a-local");
    }

    @Test
    void shouldRefuseAScopedAdminsNewKbPastTheLimitOfItsScopeAndStoreNothing() {
        JsonObject kb = new JsonObject()
                .put("remote", "https://git.example.org/team-b/kb.git")
                .put("branch", "main");
        assertThat(api.call(PUT, "/v1/kbs/team-b-0", ADMIN, kb).statusCode())
                .as("an unscoped admin's KB counts in the scope too")
                .isEqualTo(200);
        for (String id : List.of("team-b-1", "team-b-2", "team-b-3", "team-c")) {
            HttpResponse<Buffer> registered = api.call(PUT, "/v1/kbs/" + id, TEAM_B_ADMIN, kb);
            assertThat(registered.statusCode()).as(registered.bodyAsString()).isEqualTo(200);
        }

        HttpResponse<Buffer> refused = api.call(PUT, "/v1/kbs/team-b-5", TEAM_B_ADMIN, kb);
        assertError(refused, 409, "SCOPE_KB_LIMIT");
        assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message"))
                .contains("5 KBs", "auth.scopedAdminMaxKbs");
        assertThat(kbIds(ADMIN)).as("nothing stored").doesNotContain("team-b-5");

        JsonObject changed = kb.copy().put("branch", "trunk");
        assertThat(api.call(PUT, "/v1/kbs/team-b-1", TEAM_B_ADMIN, changed).statusCode())
                .as("changing a KB of the scope registers none")
                .isEqualTo(200);
        assertThat(api.call(PUT, "/v1/kbs/team-b-5", ADMIN, kb).statusCode())
                .as("an unscoped admin is not bounded")
                .isEqualTo(200);
        assertThat(api.call(DELETE, "/v1/kbs/team-b-5", TEAM_B_ADMIN).statusCode())
                .isEqualTo(204);
        assertThat(api.call(DELETE, "/v1/kbs/team-b-2", TEAM_B_ADMIN).statusCode())
                .isEqualTo(204);
        assertThat(api.call(PUT, "/v1/kbs/team-b-6", TEAM_B_ADMIN, kb).statusCode())
                .as("a removal makes room")
                .isEqualTo(200);
    }

    private static List<Object> kbIds(String token) {
        return api.call(GET, "/v1/kbs", token).bodyAsJsonObject().getJsonArray("kbs").stream()
                .map(kb -> ((JsonObject) kb).getValue("id"))
                .toList();
    }

    @Test
    void shouldRefuseSubmissionsBeyondTheTokensQuota() {
        assertThat(note(QUOTA, "quota-kb", "u1").statusCode()).isEqualTo(202);
        assertThat(note(QUOTA, "team-a-3", "u2").statusCode()).isEqualTo(202);
        HttpResponse<Buffer> refused = note(QUOTA, "quota-kb", "u3");
        assertError(refused, 429, "TOKEN_QUOTA_EXCEEDED");
        assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 60L);
        assertThat(note(CLIENT, "quota-kb", "u3").statusCode()).isEqualTo(202);
    }

    @Test
    void shouldRefuseSubmissionsBeyondTheKbsLimitWhoeverSendsThem() {
        Map<String, Integer> statuses = new HashMap<>();
        for (String user : new String[] {"k1", "k2", "k3"}) {
            statuses.put(user, note(CLIENT, "limited", user).statusCode());
        }
        assertThat(statuses.values()).containsOnly(202);
        HttpResponse<Buffer> refused = note(ADMIN, "limited", "k4");
        assertError(refused, 429, "KB_RATE_LIMITED");
        assertThat(refused.getHeader("Retry-After")).isNotNull();
        assertThat(note(CLIENT, "demo", "k4").statusCode()).isEqualTo(202);
    }

    @Test
    void shouldListOnlyTheTokensKbsAndUsersJobs() {
        String mine = note(BOT, "team-a-3", "alice").bodyAsJsonObject().getString("id");
        String otherUser = note(CLIENT, "team-a-3", "carol").bodyAsJsonObject().getString("id");
        String otherKb = note(CLIENT, "quota-kb", "alice").bodyAsJsonObject().getString("id");

        JsonArray seen =
                api.call(GET, "/v1/jobs?limit=100", BOT).bodyAsJsonObject().getJsonArray("jobs");
        assertThat(seen.stream().map(j -> ((JsonObject) j).getString("id")))
                .contains(mine)
                .doesNotContain(otherUser, otherKb);
        assertThat(seen.stream().map(j -> ((JsonObject) j).getString("kb")))
                .allMatch(kb -> ((String) kb).startsWith("team-a-"));
        assertThat(seen.stream().map(j -> ((JsonObject) j).getString("user")))
                .allMatch(u -> u.equals("alice") || u.equals("bob"));
        assertError(api.call(GET, "/v1/jobs?kb=quota-kb", BOT), 403, "SCOPE_KB");
        HttpResponse<Buffer> list = api.call(GET, "/v1/jobs?user=carol", BOT);
        assertError(list, 403, "SCOPE_USER");
        assertThat(list.bodyAsJsonObject().getJsonObject("error").getString("message"))
                .as("a list submits nothing")
                .startsWith("token team-a-bot may not list the jobs of user \"carol\"");
        assertThat(
                        api
                                .call(GET, "/v1/jobs?kb=team-a-3&limit=100", CLIENT)
                                .bodyAsJsonObject()
                                .getJsonArray("jobs")
                                .stream()
                                .map(j -> ((JsonObject) j).getString("id")))
                .as("an unscoped token sees every user's jobs")
                .contains(mine, otherUser);
        assertError(api.call(DELETE, "/v1/jobs/" + otherUser, BOT), 404, "JOB_NOT_FOUND");
        assertError(api.call(GET, "/v1/events?job=" + mine + "," + otherUser, BOT), 404, "JOB_NOT_FOUND");
        HttpResponse<Buffer> stream = api.call(GET, "/v1/events?user=carol", BOT);
        assertError(stream, 403, "SCOPE_USER");
        assertThat(stream.bodyAsJsonObject().getJsonObject("error").getString("message"))
                .startsWith("token team-a-bot may not follow the jobs of user \"carol\"");
        assertThat(note(BOT, "team-a-3", "carol")
                        .bodyAsJsonObject()
                        .getJsonObject("error")
                        .getString("message"))
                .startsWith("token team-a-bot may not submit as user \"carol\"");
    }

    /**
     * A users-scoped token's list pages hold its users' jobs, each once, and no cursor names a job it may not see
     * (another user's job, newer than its own, once made the cursor of an empty page).
     */
    @Test
    void shouldPageAUsersScopedTokensJobsWithoutCursorsNamingOtherUsersJobs() {
        api.kb("team-a-pages");
        String mine = note(BOT, "team-a-pages", "alice").bodyAsJsonObject().getString("id");
        String carols = note(CLIENT, "team-a-pages", "carol").bodyAsJsonObject().getString("id");
        String ticket = carols.substring(carols.indexOf('~') + 1);

        List<String> listed = new java.util.ArrayList<>();
        List<String> cursors = new java.util.ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) {
            JsonObject answer = api.call(
                            GET, "/v1/jobs?kb=team-a-pages&limit=1" + (cursor == null ? "" : "&cursor=" + cursor), BOT)
                    .bodyAsJsonObject();
            answer.getJsonArray("jobs").forEach(j -> listed.add(((JsonObject) j).getString("id")));
            cursor = answer.getString("nextCursor");
            if (cursor == null) {
                break;
            }
            cursors.add(new String(
                    java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        assertThat(cursor).as("the last page's cursor").isNull();
        assertThat(listed).containsExactly(mine);
        assertThat(cursors).as("cursors, decoded").noneMatch(c -> c.contains(ticket));
    }

    /** A KB's recent jobs are whole job records (their text included): a users-scoped token sees its users' only. */
    @Test
    void shouldShowAUsersScopedTokenOnlyItsUsersRecentJobs() {
        String mine = note(CLIENT, "team-a-4", "alice").bodyAsJsonObject().getString("id");
        String otherUser = note(CLIENT, "team-a-4", "carol").bodyAsJsonObject().getString("id");
        assertThat(api.call(DELETE, "/v1/jobs/" + mine, CLIENT).statusCode()).isEqualTo(200);
        assertThat(api.call(DELETE, "/v1/jobs/" + otherUser, CLIENT).statusCode())
                .isEqualTo(200);

        JsonObject recent = api.call(GET, "/v1/kbs/team-a-4/recent-jobs", BOT).bodyAsJsonObject();
        JsonObject all = api.call(GET, "/v1/kbs/team-a-4/recent-jobs", CLIENT).bodyAsJsonObject();

        assertThat(recent.getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("id")))
                .contains(mine)
                .doesNotContain(otherUser);
        assertThat(recent.encode()).doesNotContain("carol");
        assertThat(all.getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("id")))
                .as("an unscoped token sees every user's")
                .contains(mine, otherUser);
    }

    /** Admin actions leave a line naming their token: a KB's registration (with its remote) and a force-release. */
    @Test
    void shouldLogWhichTokenRegisteredAKbAndWhichForceReleasedIt() {
        try (LogCapture logs = new LogCapture()) {
            JsonObject registration = new JsonObject()
                    .put("remote", "https://git.example.com/audited.git")
                    .put("branch", "main");
            assertThat(api.call(PUT, "/v1/kbs/audited", ADMIN, registration).statusCode())
                    .isEqualTo(200);
            assertThat(api.call(POST, "/v1/admin/kbs/team-a-2/force-release", TEAM_ADMIN)
                            .statusCode())
                    .isEqualTo(200);

            assertThat(logs.lines())
                    .anyMatch(l -> l.matches("INFO KB audited registered by \\S+: remote"
                            + " https://git.example.com/audited.git, branch main.*"));
            assertThat(logs.lines()).anyMatch(l -> l.contains("KB team-a-2 force-released by team-a-admin"));
        }
    }

    private static HttpResponse<Buffer> note(String token, String kb, String user) {
        return api.call(
                POST,
                "/v1/kbs/" + kb + "/notes",
                token,
                new JsonObject().put("user", user).put("text", "hello"));
    }
}
