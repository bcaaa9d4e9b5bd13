package dev.kbsync.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The coordinator's HTTP API as the test drives it: a blocking client with a bearer token. */
record Api(int port, String token) {
    void putKb(String kb) throws Exception {
        call("PUT", "/v1/kbs/" + kb, "{\"remote\":\"/srv/git/" + kb + ".git\",\"branch\":\"main\"}", 200);
    }

    /** Submits a note and returns the job id. */
    String note(String kb, String user) throws Exception {
        String body = new JsonObject()
                .put("user", user)
                .put("text", "note from " + user)
                .encode();
        return call("POST", "/v1/kbs/" + kb + "/notes", body, 202).getString("id");
    }

    JsonObject poll(String worker) throws Exception {
        return call("POST", "/v1/workers/" + worker + "/poll", "{\"waitMs\":5000}", 200);
    }

    void done(String job, String leaseId) throws Exception {
        String body = new JsonObject()
                .put("leaseId", leaseId)
                .put("state", "done")
                .put("commit", "c0ffee")
                .encode();
        call("POST", "/v1/jobs/" + job + "/result", body, 200);
    }

    private JsonObject call(String method, String path, String body, int expectedStatus) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as(method + " " + path + ": " + response.body())
                .isEqualTo(expectedStatus);
        return new JsonObject(response.body());
    }
}
