package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The served OpenAPI document ({@code openapi.json}) as a test oracle: its operations ({@code "GET /v1/jobs/{id}"}),
 * and checks of real requests and responses against the schemas it gives them (JSON Schema 2020-12, formats
 * asserted). Records which operations were checked.
 */
final class OpenApiDocument {
    private static final String LOCATION = "classpath:dev/kbsync/coordinator/http/" + OpsRoutes.OPENAPI;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonObject doc;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final SchemaValidatorsConfig config =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final Set<String> checked = new TreeSet<>();

    OpenApiDocument() {
        try (InputStream in = OpsRoutes.class.getResourceAsStream(OpsRoutes.OPENAPI)) {
            doc = new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonObject json() {
        return doc;
    }

    /** Every documented operation as {@code "METHOD /path/{param}"}. */
    Set<String> operations() {
        Set<String> all = new TreeSet<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                all.add(method.toUpperCase() + " " + path);
            }
        }
        return all;
    }

    /** The operations {@link #response} checked so far. */
    synchronized Set<String> checked() {
        return new TreeSet<>(checked);
    }

    /** A request body the test sends must fit the operation's request schema. */
    void request(String method, String path, JsonObject body) {
        JsonObject content = operation(method, path)
                .getJsonObject("requestBody")
                .getJsonObject("content")
                .getJsonObject("application/json");
        assertValid(content.getJsonObject("schema"), body.encode(), method + " " + path + " request");
    }

    /**
     * A real answer of {@code METHOD path}: its status must be documented, its content type the documented one,
     * and a JSON body (or the {@code data} of the first frame of an event stream) must fit its schema.
     */
    void response(String method, String path, int status, String contentType, String body) {
        String what = method + " " + path + " -> " + status;
        JsonObject response =
                resolve(operation(method, path).getJsonObject("responses").getJsonObject(Integer.toString(status)));
        assertThat(response).as(what + " is documented").isNotNull();
        JsonObject content = response.getJsonObject("content");
        if (content == null) {
            assertThat(body == null || body.isEmpty()).as(what + " has no body").isTrue();
        } else {
            String media = contentType == null ? "" : contentType.split(";")[0].trim();
            assertThat(content.fieldNames()).as(what + " content type").contains(media);
            JsonObject type = content.getJsonObject(media);
            if (media.equals("application/json")) {
                assertValid(type.getJsonObject("schema"), body, what);
            } else if (type.containsKey("x-event-data")) {
                assertValid(type.getJsonObject("x-event-data"), firstData(body), what + " event data");
            }
        }
        synchronized (this) {
            checked.add(method + " " + path);
        }
    }

    private JsonObject operation(String method, String path) {
        JsonObject item = doc.getJsonObject("paths").getJsonObject(path);
        assertThat(item).as(path + " is documented").isNotNull();
        JsonObject operation = item.getJsonObject(method.toLowerCase());
        assertThat(operation).as(method + " " + path + " is documented").isNotNull();
        return operation;
    }

    private JsonObject resolve(JsonObject maybeRef) {
        if (maybeRef == null || !maybeRef.containsKey("$ref")) {
            return maybeRef;
        }
        String[] parts = maybeRef.getString("$ref").substring(2).split("/");
        JsonObject node = doc;
        for (String part : parts) {
            node = node.getJsonObject(part);
        }
        return node;
    }

    /** Validates {@code json} against a schema of the document, which must be a {@code $ref} to a component. */
    private void assertValid(JsonObject schemaRef, String json, String what) {
        String ref = schemaRef.getString("$ref");
        assertThat(ref).as(what + ": schemas are components ($ref)").startsWith("#/components/schemas/");
        JsonSchema schema =
                schemas.computeIfAbsent(ref, r -> factory.getSchema(SchemaLocation.of(LOCATION + r), config));
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(what + ": not JSON: " + json, e);
        }
        Set<ValidationMessage> errors = schema.validate(node);
        assertThat(errors).as(what + " fits " + ref + ": " + json).isEmpty();
    }

    private static String firstData(String stream) {
        for (String line : stream.split("\n")) {
            if (line.startsWith("data:")) {
                return line.substring(5).trim();
            }
        }
        throw new AssertionError("no data line in the event stream: " + stream);
    }
}
