package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobReceipt;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.testing.LogCapture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobApiIT {
    private static final AtomicInteger users = new AtomicInteger();

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    private static String newUser() {
        return "user" + users.incrementAndGet();
    }

    @Test
    void shouldAcceptANoteWith202LocationAndTheQueuedJob() {
        String user = newUser();
        api.kb("jobs-a");
        HttpResponse<Buffer> response = api.call(
                POST,
                "/v1/kbs/jobs-a/notes",
                CLIENT,
                new JsonObject().put("user", user).put("text", "buy milk"));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonObject job = response.bodyAsJsonObject();
        assertThat(job.getString("kb")).isEqualTo("jobs-a");
        assertThat(job.getString("id")).matches("[A-Za-z0-9._:~-]{1,128}");
        assertThat(job.getString("kind")).isEqualTo("note");
        assertThat(job.getString("user")).isEqualTo(user);
        assertThat(job.getString("state")).isEqualTo("queued");
        assertThat(response.getHeader("Location")).isEqualTo("/v1/jobs/" + job.getString("id"));
        assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("4");
        assertThat(api.call(GET, "/v1/jobs/" + job.getString("id"), CLIENT).bodyAsJsonObject())
                .isEqualTo(job);
    }

    @Test
    void shouldAnswerOnlyTheJobsIdAndPlaceWhenTheRequestPrefersReturnMinimal() {
        api.kb("jobs-min");
        JsonObject note = new JsonObject().put("user", newUser()).put("text", "a longer note ".repeat(40));
        api.call(POST, "/v1/kbs/jobs-min/notes", CLIENT, note); // the second note has one ahead
        HttpResponse<Buffer> response = api.request(POST, "/v1/kbs/jobs-min/notes", CLIENT)
                .putHeader("Prefer", "respond-async, return=minimal")
                .sendJsonObject(note)
                .await();

        assertThat(response.statusCode()).isEqualTo(202);
        JsonObject receipt = response.bodyAsJsonObject();
        assertThat(receipt.fieldNames()).containsExactlyInAnyOrder("id", "kb", "state", "ahead", "etaMs", "etaP90Ms");
        assertThat(response.getHeader("Preference-Applied")).isEqualTo("return=minimal");
        assertThat(response.getHeader("Vary")).isEqualTo("Prefer");
        assertThat(response.getHeader("Location")).isEqualTo("/v1/jobs/" + receipt.getString("id"));
        assertThat(response.getHeader("X-RateLimit-Remaining")).isEqualTo("3");
        assertThat(receipt.getLong("ahead")).isEqualTo(1);
        JsonObject job =
                api.call(GET, "/v1/jobs/" + receipt.getString("id"), CLIENT).bodyAsJsonObject();
        for (String field : receipt.fieldNames()) {
            assertThat(job.getValue(field)).as(field).isEqualTo(receipt.getValue(field));
        }
        assertThat(job.getJsonObject("payload").getString("text")).isEqualTo(note.getString("text"));
    }

    @Test
    void shouldAnswerTheWholeJobForAnyOtherPreference() {
        api.kb("jobs-rep");
        for (String prefer : new String[] {"return=representation", "respond-async", "return=minimalist"}) {
            HttpResponse<Buffer> response = api.request(POST, "/v1/kbs/jobs-rep/notes", CLIENT)
                    .putHeader("Prefer", prefer)
                    .sendJsonObject(new JsonObject().put("user", newUser()).put("text", prefer))
                    .await();

            assertThat(response.statusCode()).as(prefer).isEqualTo(202);
            assertThat(response.bodyAsJsonObject().getJsonObject("payload").getString("text"))
                    .isEqualTo(prefer);
            assertThat(response.getHeader("Preference-Applied")).as(prefer).isNull();
        }
    }

    @Test
    void shouldGiveTheJavaClientTheReceiptOfANoteAndOfAnAgentTask() {
        api.kb("jobs-client");
        KbsyncClient client = api.client(CLIENT);
        KbId kb = KbId.of("jobs-client");

        JobReceipt note = client.submitNoteMinimal(kb, NoteRequest.of(newUser(), "via the client"));
        JobReceipt task = client.submitAgentTaskMinimal(kb, AgentTaskRequest.of(newUser(), "tidy up"));
        JobReceipt again =
                client.submitNoteMinimal(kb, NoteRequest.of("retrier", "once").withIdempotencyKey("receipt-1"));
        JobReceipt retried =
                client.submitNoteMinimal(kb, NoteRequest.of("retrier", "once").withIdempotencyKey("receipt-1"));

        assertThat(note.kb()).isEqualTo(kb);
        assertThat(note.state()).isEqualTo(JobState.QUEUED);
        assertThat(client.job(note.id()).payload().toJson().getString("text")).isEqualTo("via the client");
        assertThat(task.ahead()).isEqualTo(1);
        assertThat(client.job(task.id()).kind()).isEqualTo(JobKind.AGENT);
        assertThat(retried.id()).isEqualTo(again.id());
        assertThat(JobReceipt.of(client.job(task.id()))).isEqualTo(task);
    }

    @Test
    void shouldAcceptAnAgentTask() {
        HttpResponse<Buffer> response = api.call(
                POST,
                "/v1/kbs/demo/agent-tasks",
                CLIENT,
                new JsonObject().put("user", newUser()).put("task", "tidy the index"));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.bodyAsJsonObject().getString("kind")).isEqualTo("agent");
        assertThat(response.bodyAsJsonObject().getJsonObject("payload").getString("task"))
                .isEqualTo("tidy the index");
    }

    @Test
    void shouldReturnTheSameJobForARetryWithTheSameIdempotencyKey() {
        JsonObject note = new JsonObject().put("user", newUser()).put("text", "once");
        String first = api.request(POST, "/v1/kbs/demo/notes", CLIENT)
                .putHeader("Idempotency-Key", "retry-1")
                .sendJsonObject(note)
                .await()
                .bodyAsJsonObject()
                .getString("id");
        HttpResponse<Buffer> second = api.request(POST, "/v1/kbs/demo/notes", CLIENT)
                .putHeader("Idempotency-Key", "retry-1")
                .sendJsonObject(note)
                .await();

        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.bodyAsJsonObject().getString("id")).isEqualTo(first);
    }

    @Test
    void shouldAnswer404ForAnUnknownJobAndAnUnregisteredKb() {
        assertError(api.call(GET, "/v1/jobs/nope", CLIENT), 404, "JOB_NOT_FOUND");
        long stored = api.storedRecords(); // the submit's step refuses it: nothing is stored
        assertError(
                api.call(
                        POST,
                        "/v1/kbs/elsewhere/notes",
                        CLIENT,
                        new JsonObject().put("user", newUser()).put("text", "x")),
                404,
                "KB_NOT_FOUND");
        assertThat(api.storedRecords()).isEqualTo(stored);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bad kb id           | /v1/kbs/Bad!/notes | {\"user\":\"u1\",\"text\":\"t\"}                 | INVALID_KB",
                "unknown field       | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"extra\":1}     | UNKNOWN_FIELD",
                "missing user        | /v1/kbs/demo/notes | {\"text\":\"t\"}                                | MISSING_FIELD",
                "missing text        | /v1/kbs/demo/notes | {\"user\":\"u1\"}                               | MISSING_FIELD",
                "user not a string   | /v1/kbs/demo/notes | {\"user\":5,\"text\":\"t\"}                     | INVALID_FIELD",
                "bad user            | /v1/kbs/demo/notes | {\"user\":\"a b\",\"text\":\"t\"}               | INVALID_USER",
                "user too long       | /v1/kbs/demo/notes | {\"user\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"text\":\"t\"} | INVALID_USER",
                "blank text          | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"  \"}               | INVALID_TEXT",
                "long title          | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"title\":\"TITLE\"} | INVALID_TITLE",
                "title with NEL      | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"title\":\"a\\u0085b\"} | INVALID_TITLE",
                "title with DEL      | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"title\":\"a\\u007fb\"} | INVALID_TITLE",
                "title with CSI      | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"title\":\"a\\u009bb\"} | INVALID_TITLE",
                "lone surrogate text | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"\\ud800\"}         | INVALID_TEXT",
                "lone surrogate title| /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"title\":\"a\\udfff\"} | INVALID_TITLE",
                "lone surrogate user | /v1/kbs/demo/notes | {\"user\":\"u\\ud800\",\"text\":\"t\"}          | INVALID_USER",
                "lone surrogate path | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\"n/\\ud800.md\"} | INVALID_PATH",
                "path with ..        | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\"a/../../etc\"} | INVALID_PATH",
                "absolute path       | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\"/etc/passwd\"} | INVALID_PATH",
                "path into .git      | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\".GIT/config\"} | INVALID_PATH",
                "Windows device name | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\"notes/CON.md\"} | INVALID_PATH",
                "name git refuses    | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\"notes/a?b.md\"} | INVALID_PATH",
                "git's .gitattributes| /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\"sub/.gitattributes\"} | INVALID_PATH",
                "git's .gitmodules   | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"path\":\".GitModules\"} | INVALID_PATH",
                "not json            | /v1/kbs/demo/notes | {not json                                       | INVALID_JSON",
                "json array          | /v1/kbs/demo/notes | []                                              | INVALID_JSON",
                "json with a comment | /v1/kbs/demo/notes | {\"user\":\"u1\" /* c */,\"text\":\"t\"}       | INVALID_JSON",
                "json line comment   | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\"} // c            | INVALID_JSON",
                "duplicate key       | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\",\"text\":\"u\"}  | INVALID_JSON",
                "a second value      | /v1/kbs/demo/notes | {\"user\":\"u1\",\"text\":\"t\"} {}             | INVALID_JSON",
                "empty body          | /v1/kbs/demo/notes | ''                                              | MISSING_BODY",
                "agent blank task    | /v1/kbs/demo/agent-tasks | {\"user\":\"u1\",\"task\":\"\"}           | INVALID_TEXT",
                "agent lone surrogate| /v1/kbs/demo/agent-tasks | {\"user\":\"u1\",\"task\":\"do \\ud800\"} | INVALID_TEXT",
                "agent unknown field | /v1/kbs/demo/agent-tasks | {\"user\":\"u1\",\"task\":\"t\",\"text\":\"t\"} | UNKNOWN_FIELD",
            })
    void shouldRejectBadInputWith400AndStoreNothing(String name, String path, String body, String code) {
        long calls = api.services.calls.get();
        long keys = api.storedRecords();
        String sent = body.replace("TITLE", "t".repeat(201));

        HttpResponse<Buffer> response = api.raw(POST, path, CLIENT, "application/json", Buffer.buffer(sent));

        assertError(response, 400, code);
        assertThat(api.services.calls.get()).as("service calls").isEqualTo(calls);
        assertThat(api.storedRecords()).as("stored records").isEqualTo(keys);
    }

    @Test
    void shouldRejectTextOverTheLimit() {
        JsonObject note = new JsonObject().put("user", newUser()).put("text", "x".repeat(1001));
        assertError(api.call(POST, "/v1/kbs/demo/notes", CLIENT, note), 400, "TEXT_TOO_LONG");
    }

    @Test
    void shouldNotCountARequestRefusedForItsIdempotencyKeyAgainstTheRateLimit() {
        api.kb("jobs-idem");
        String user = newUser();
        HttpResponse<Buffer> first = keyed("jobs-idem", user, "the note", "key-1");
        assertThat(first.getHeader("X-RateLimit-Remaining")).isEqualTo("4");
        for (int i = 0; i < 3; i++) {
            assertError(keyed("jobs-idem", user, "another note " + i, "key-1"), 409, "IDEMPOTENCY_MISMATCH");
        }
        HttpResponse<Buffer> retry = keyed("jobs-idem", user, "the note", "key-1");
        assertThat(retry.bodyAsJsonObject().getString("id"))
                .isEqualTo(first.bodyAsJsonObject().getString("id"));

        HttpResponse<Buffer> next = api.call(
                POST,
                "/v1/kbs/jobs-idem/notes",
                CLIENT,
                new JsonObject().put("user", user).put("text", "next"));

        assertThat(next.statusCode()).isEqualTo(202);
        assertThat(next.getHeader("X-RateLimit-Remaining"))
                .as("the first submit and its retry counted; the refused ones did not")
                .isEqualTo("2");
    }

    private static HttpResponse<Buffer> keyed(String kb, String user, String text, String key) {
        return api.request(POST, "/v1/kbs/" + kb + "/notes", CLIENT)
                .putHeader("Idempotency-Key", key)
                .sendJsonObject(new JsonObject().put("user", user).put("text", text))
                .await();
    }

    /** Bytes that are not UTF-8 (overlong forms of "a" and of NUL) and a UTF-16 body are not JSON (RFC 8259). */
    @Test
    void shouldRejectABodyThatIsNotUtf8AndStoreNothing() {
        long calls = api.services.calls.get();
        long keys = api.storedRecords();
        String user = newUser();
        List<byte[]> bodies = List.of(
                notUtf8("{\"user\":\"" + user, new byte[] {(byte) 0xC1, (byte) 0xA1}, "\",\"text\":\"t\"}"),
                notUtf8("{\"user\":\"" + user, new byte[] {(byte) 0xC0, (byte) 0x80}, "\",\"text\":\"t\"}"),
                ("{\"user\":\"" + user + "\",\"text\":\"t\"}").getBytes(StandardCharsets.UTF_16LE));

        for (byte[] body : bodies) {
            HttpResponse<Buffer> response =
                    api.raw(POST, "/v1/kbs/demo/notes", CLIENT, "application/json", Buffer.buffer(body));

            assertError(response, 400, "INVALID_JSON");
        }
        assertThat(api.services.calls.get()).as("service calls").isEqualTo(calls);
        assertThat(api.storedRecords()).as("stored records").isEqualTo(keys);
    }

    private static byte[] notUtf8(String before, byte[] bad, String after) {
        Buffer body = Buffer.buffer(before).appendBytes(bad).appendString(after);
        return body.getBytes();
    }

    /** Two Idempotency-Key headers: which one the client meant cannot be told, so neither is taken. */
    @Test
    void shouldRejectARepeatedIdempotencyKeyAndStoreNothing() {
        long calls = api.services.calls.get();
        long keys = api.storedRecords();
        for (List<String> sent : List.of(List.of("key-a", "key-b"), List.of("key-a", "key-a"))) {
            HttpResponse<Buffer> response = api.request(POST, "/v1/kbs/demo/notes", CLIENT)
                    .putHeader("Idempotency-Key", sent)
                    .sendJsonObject(new JsonObject().put("user", newUser()).put("text", "t"))
                    .await();

            assertError(response, 400, "INVALID_IDEMPOTENCY_KEY");
        }
        assertThat(api.services.calls.get()).as("service calls").isEqualTo(calls);
        assertThat(api.storedRecords()).as("stored records").isEqualTo(keys);
    }

    @Test
    void shouldRejectABadIdempotencyKey() {
        HttpResponse<Buffer> response = api.request(POST, "/v1/kbs/demo/notes", CLIENT)
                .putHeader("Idempotency-Key", "has space")
                .sendJsonObject(new JsonObject().put("user", newUser()).put("text", "t"))
                .await();
        assertError(response, 400, "INVALID_IDEMPOTENCY_KEY");
    }

    @Test
    void shouldRejectAnOversizedBodyWith413() {
        long calls = api.services.calls.get();
        JsonObject note = new JsonObject().put("user", newUser()).put("text", "x".repeat(4000));
        assertError(api.call(POST, "/v1/kbs/demo/notes", CLIENT, note), 413, "BODY_TOO_LARGE");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRejectANonJsonContentTypeWith415() {
        HttpResponse<Buffer> response = api.raw(
                POST, "/v1/kbs/demo/notes", CLIENT, "text/plain", Buffer.buffer("{\"user\":\"u\",\"text\":\"t\"}"));
        assertError(response, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(
                api.raw(POST, "/v1/kbs/demo/notes", CLIENT, null, Buffer.buffer("{}")), 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void shouldLimitSubmissionsPerUserWith429AndRetryAfter() {
        String user = newUser();
        JsonObject note = new JsonObject().put("user", user).put("text", "t");
        for (int i = 0; i < 5; i++) {
            assertThat(api.call(POST, "/v1/kbs/demo/notes", CLIENT, note).statusCode())
                    .isEqualTo(202);
        }
        long stored = api.storedRecords(); // the submit's step refuses it: nothing is stored

        HttpResponse<Buffer> limited = api.call(POST, "/v1/kbs/demo/notes", CLIENT, note);

        assertError(limited, 429, "RATE_LIMITED");
        assertThat(Long.parseLong(limited.getHeader("Retry-After"))).isBetween(1L, 60L);
        assertThat(limited.getHeader("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(limited.bodyAsJsonObject().getJsonObject("error").getString("message"))
                .startsWith("rate limit of user " + user + ": 5 submissions per 60 s; try again in ")
                .endsWith(" s (0 left)");
        assertThat(api.storedRecords()).isEqualTo(stored);
        assertThat(api.call(POST, "/v1/kbs/demo/notes", CLIENT, note.copy().put("user", newUser()))
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void shouldMaskUnexpectedFailuresAs500InternalAndLogTheCauseWithItsReference() {
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<Buffer> response = api.call(
                    POST,
                    "/v1/kbs/boom/notes",
                    CLIENT,
                    new JsonObject().put("user", newUser()).put("text", "t"));
            assertError(response, 500, "INTERNAL");
            assertThat(response.bodyAsString()).doesNotContain("secret internal detail");
            String message = response.bodyAsJsonObject().getJsonObject("error").getString("message");
            String ref = message.substring(message.indexOf("ref ") + 4, message.indexOf(')'));
            assertThat(logs.lines())
                    .anyMatch(l -> l.startsWith("ERROR internal error ref=" + ref)
                            && l.contains("kb=boom")
                            && l.contains("secret internal detail"));
        }
    }

    /** The same on a route without a body (the request read to its end with its head): never taken for bad input. */
    @Test
    void shouldMaskAnUnexpectedFailureOfARouteWithoutABodyAs500Too() {
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<Buffer> response = api.call(GET, "/v1/leases/boom~1.2.3", ApiFixture.WORKER);
            assertError(response, 500, "INTERNAL");
            String message = response.bodyAsJsonObject().getJsonObject("error").getString("message");
            String ref = message.substring(message.indexOf("ref ") + 4, message.indexOf(')'));
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("ERROR internal error ref=" + ref));
        }
    }

    static void assertError(HttpResponse<Buffer> response, int status, String code) {
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
        assertThat(response.getHeader("Content-Type")).startsWith("application/json");
        JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo(code);
        assertThat(error.getString("message")).isNotBlank();
    }
}
