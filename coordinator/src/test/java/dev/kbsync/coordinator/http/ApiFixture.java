package dev.kbsync.coordinator.http;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.ServicesFactory;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A JUnit extension per test class: a private Redis, a real coordinator (HTTP, auth, rate limits in Redis, the Redis
 * engine behind {@link CountingServices}; lease TTL 2 s) on port 0, a raw HTTP client for the contract's details,
 * and Java clients. Use as {@code @RegisterExtension static final ApiFixture api = new ApiFixture();}.
 */
final class ApiFixture implements BeforeAllCallback, AfterAllCallback {
    static final String ADMIN = "admin-token-000000001";
    static final String WORKER = "worker-token-00000001";
    static final String CLIENT = "client-token-00000001";

    final RedisExtension redis = new RedisExtension();
    final CountingServices services = new CountingServices();
    private final Map<String, String> extraEnv;
    private final String yaml;
    Vertx vertx;

    private Coordinator coordinator;
    private Map<String, String> env;
    private Optional<Path> file = Optional.empty();
    private WebClient client;
    private RedissonClient redisson;
    private final List<KbsyncClient> clients = new CopyOnWriteArrayList<>();

    ApiFixture() {
        this(Map.of());
    }

    /** With extra environment variables laid over the test defaults. */
    ApiFixture(Map<String, String> extraEnv) {
        this(extraEnv, null);
    }

    /** With extra environment variables and a YAML config file (which the environment overrides; blank = unset). */
    ApiFixture(Map<String, String> extraEnv, String yaml) {
        this.extraEnv = extraEnv;
        this.yaml = yaml;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        redis.beforeAll(context);
        vertx = Vertx.vertx();
        env = new HashMap<>(Map.of(
                "KBSYNC_HTTP_PORT", "0",
                "KBSYNC_REDIS_ADDRESS", redis.uri(),
                "KBSYNC_TOKENS", "admin:" + ADMIN + ",worker:" + WORKER + ",client:" + CLIENT,
                "KBSYNC_KBS", "demo=/srv/git/demo.git#main,boom=/srv/git/boom.git#main",
                "KBSYNC_RATE_LIMIT_SUBMISSIONS", "5",
                "KBSYNC_HTTP_BODY_LIMIT_BYTES", "2048",
                "KBSYNC_HTTP_MAX_TEXT_CHARS", "1000",
                "KBSYNC_HTTP_SSE_KEEP_ALIVE_SECONDS", "1",
                "KBSYNC_LEASE_TTL_SECONDS", "2"));
        env.putAll(extraEnv);
        if (yaml != null) {
            file = Optional.of(Files.writeString(Files.createTempFile("kbsync-api-", ".yaml"), yaml));
            file.get().toFile().deleteOnExit();
        }
        CoordinatorConfig config = CoordinatorConfig.load(file, env);
        coordinator = Coordinator.start(vertx, config, services.around(ServicesFactory.redisEngine()))
                .await();
        client = WebClient.create(
                vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port()));
        Config redissonConfig = new Config();
        redissonConfig.useSingleServer().setAddress(redis.uri());
        redisson = Redisson.create(redissonConfig);
    }

    int port() {
        return coordinator.port();
    }

    /** This fixture's coordinator (the one its calls go to). */
    Coordinator coordinator() {
        return coordinator;
    }

    /**
     * Stops this fixture's coordinator and starts a new one on the same Redis (a new port; Java clients made before
     * still call the old one): it knows only what Redis holds.
     */
    void restart() {
        coordinator.stop().await();
        client.close();
        coordinator = Coordinator.start(
                        vertx, CoordinatorConfig.load(file, env), services.around(ServicesFactory.redisEngine()))
                .await();
        client = WebClient.create(
                vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port()));
    }

    /**
     * Another coordinator on the same Redis, with {@code moreEnv} laid over this fixture's environment (give it its own
     * KBSYNC_COORDINATOR_ID); the caller stops it.
     */
    Coordinator another(Map<String, String> moreEnv) {
        Map<String, String> other = new HashMap<>(env);
        other.putAll(moreEnv);
        return Coordinator.start(vertx, CoordinatorConfig.load(file, other), ServicesFactory.redisEngine())
                .await();
    }

    /** The Java client of the coordinator on {@code port} with {@code token}; closed after the test class. */
    KbsyncClient client(int port, String token) {
        ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:" + port), token)
                .withRequestTimeout(Duration.ofSeconds(10));
        KbsyncClient client = KbsyncClient.create(vertx, options);
        clients.add(client);
        return client;
    }

    /** A job of {@code kb} with a callback to {@code callbackUrl}, cancelled: its KB is idle, its delivery due. */
    Job cancelledWithCallback(String kb, String callbackUrl) {
        KbsyncClient client = client(CLIENT);
        Job job = client.submitNote(
                KbId.of(kb), NoteRequest.of("alice", "never mind").withCallbackUrl(callbackUrl));
        client.cancel(job.id());
        return job;
    }

    /** The number of {@code kb}'s webhook deliveries due or in flight. */
    int dueWebhooks(String kb) {
        return redisson.getScoredSortedSet(
                        "kbsync:{kb:" + kb + "}:hooks", org.redisson.client.codec.StringCodec.INSTANCE)
                .size();
    }

    /** The removed KBs whose webhook deliveries the coordinators still look for ({@code kbsync:{hooks}:orphans}). */
    java.util.Collection<String> orphanedHooks() {
        return redisson.<String>getScoredSortedSet(
                        "kbsync:{hooks}:orphans", org.redisson.client.codec.StringCodec.INSTANCE)
                .readAll();
    }

    /** The Java client with {@code token} (null: none); closed after the test class. */
    KbsyncClient client(String token) {
        ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:" + port()), token)
                .withRequestTimeout(Duration.ofSeconds(10));
        KbsyncClient client = KbsyncClient.create(vertx, options);
        clients.add(client);
        return client;
    }

    /** An event stream as bytes, for wire-format checks; {@code token} may be null. */
    RawStream rawStream(String path, String token) {
        return new RawStream(port(), path, token);
    }

    HttpResponse<Buffer> call(HttpMethod method, String path, String token) {
        return request(method, path, token).send().await();
    }

    /** A call to the coordinator on {@code port} (one started by {@link #another}). */
    HttpResponse<Buffer> call(int port, HttpMethod method, String path, String token) {
        return request(port, method, path, token).send().await();
    }

    HttpResponse<Buffer> call(HttpMethod method, String path, String token, JsonObject body) {
        return request(method, path, token).sendJsonObject(body).await();
    }

    HttpResponse<Buffer> raw(HttpMethod method, String path, String token, String contentType, Buffer body) {
        HttpRequest<Buffer> request = request(method, path, token);
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        return request.sendBuffer(body).await();
    }

    HttpRequest<Buffer> request(HttpMethod method, String path, String token) {
        return withToken(client.request(method, path), token);
    }

    /** A request to the coordinator on {@code port} (one started by {@link #another}). */
    HttpRequest<Buffer> request(int port, HttpMethod method, String path, String token) {
        return withToken(client.request(method, port, "127.0.0.1", path), token);
    }

    private static HttpRequest<Buffer> withToken(HttpRequest<Buffer> request, String token) {
        if (token != null) {
            request.bearerTokenAuthentication(token);
        }
        return request;
    }

    /**
     * The engine's steps run straight on this fixture's Redis, as by a coordinator whose messages no other coordinator
     * hears (a lost pub/sub message): the fixture's coordinator learns of their changes only from Redis.
     */
    dev.kbsync.coordinator.engine.ticket.Tickets silentTickets() {
        return new dev.kbsync.coordinator.engine.ticket.Tickets(
                new dev.kbsync.coordinator.engine.redis.Redis(
                        redisson,
                        vertx.getOrCreateContext(),
                        dev.kbsync.coordinator.engine.redis.Redis.Replication.none()),
                dev.kbsync.coordinator.engine.ticket.DriverSettings.of(
                        CoordinatorConfig.load(file, env).engine()),
                "publish");
    }

    /** The lease TTL the fixture configures. */
    static final long LEASE_TTL_MS = 2000;

    /** The keys of {@code kb}'s slot now, each with its remaining time to live in ms (-1: none). */
    Map<String, Long> kbKeys(String kb) {
        Map<String, Long> keys = new java.util.TreeMap<>();
        for (String key : redisson.getKeys().getKeysByPattern("kbsync:{kb:" + kb + "}:*")) {
            keys.put(key, redisson.getKeys().remainTimeToLive(key));
        }
        return keys;
    }

    /** Takes {@code kb} out of the KB registry as a removal does before its step; its registration, as it was. */
    String unlistKb(String kb) {
        return redisson.<String, String>getMap("kbsync:kbs", org.redisson.client.codec.StringCodec.INSTANCE)
                .remove(kb);
    }

    /** Puts {@code kb}'s {@code registration} back into the KB registry, as a refused removal does. */
    void relistKb(String kb, String registration) {
        redisson.<String, String>getMap("kbsync:kbs", org.redisson.client.codec.StringCodec.INSTANCE)
                .put(kb, registration);
    }

    /** Keys in Redis right now, but for the KBs' driver keys (which the sweep claims and drops on its own). */
    long redisKeys() {
        return redisson.getKeys()
                .getKeysStream()
                .filter(k -> !k.endsWith(":driver"))
                .count();
    }

    /**
     * What a request can store: KB registrations, job records and tickets of every KB, idempotency and duplicate keys.
     * Unlike {@link #redisKeys()} it does not move on its own (the sweep creates a KB's stats and lock keys when it
     * ends a lapsed grant of an earlier test's job; rate-limit windows expire).
     */
    long storedRecords() {
        long count = redisson.getMap("kbsync:kbs", org.redisson.client.codec.StringCodec.INSTANCE)
                .size();
        for (String key : redisson.getKeys().getKeysByPattern("kbsync:{kb:*}:*")) {
            if (key.endsWith(":jobs") || key.endsWith(":tickets") || key.endsWith(":claims")) {
                count += redisson.getMap(key, org.redisson.client.codec.StringCodec.INSTANCE)
                        .size();
            }
        }
        return count
                + redisson.getKeys().getKeysStreamByPattern("kbsync:idem:*").count()
                + redisson.getKeys().getKeysStreamByPattern("kbsync:dedupe:*").count();
    }

    /**
     * Everything a request can have stored, one item per key, hash field, set or sorted-set member and list (values are
     * left out: they move on their own, e.g. a waiter's expiry), but for the KBs' driver keys and the readiness probe's
     * key; for "nothing changed" checks over every kind of record.
     */
    java.util.Set<String> storedItems() {
        java.util.List<Object> listed = redisson.getScript(org.redisson.client.codec.StringCodec.INSTANCE)
                .eval(org.redisson.api.RScript.Mode.READ_ONLY, STORED_ITEMS, org.redisson.api.RScript.ReturnType.LIST);
        java.util.Set<String> items = new java.util.TreeSet<>();
        listed.forEach(item -> items.add(String.valueOf(item)));
        return items;
    }

    /**
     * Every stored key (but each KB's driver key and the readiness probe's), each hash field, set and sorted-set
     * member on its own, and each list's length: read in one script, one round trip (a fuzz test checks it around
     * each of its thousands of requests).
     */
    private static final String STORED_ITEMS = """
            local out = {}
            for _, key in ipairs(redis.call('keys', '*')) do
              if string.sub(key, -7) ~= ':driver' and key ~= 'kbsync:readyz' then
                local t = redis.call('type', key)['ok']
                if t == 'hash' then
                  for _, f in ipairs(redis.call('hkeys', key)) do out[#out + 1] = key .. ' #' .. f end
                elseif t == 'set' then
                  for _, m in ipairs(redis.call('smembers', key)) do out[#out + 1] = key .. ' .' .. m end
                elseif t == 'zset' then
                  for _, m in ipairs(redis.call('zrange', key, 0, -1)) do out[#out + 1] = key .. ' .' .. m end
                elseif t == 'list' then
                  out[#out + 1] = key .. ' [' .. redis.call('llen', key) .. ']'
                elseif t ~= 'none' then
                  out[#out + 1] = key
                end
              end
            end
            return out
            """;

    /** Registers a KB of its own for one test (through the service, not counted as a call of the test). */
    void kb(String id) {
        HttpResponse<Buffer> response = call(
                HttpMethod.PUT,
                "/v1/kbs/" + id,
                ADMIN,
                new JsonObject().put("remote", "/srv/git/" + id + ".git").put("branch", "main"));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("registering " + id + ": " + response.bodyAsString());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        clients.forEach(KbsyncClient::close);
        client.close();
        coordinator.stop().await();
        redisson.shutdown();
        vertx.close().await();
        redis.afterAll(context);
    }
}
