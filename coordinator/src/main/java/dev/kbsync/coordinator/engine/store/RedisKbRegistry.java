package dev.kbsync.coordinator.engine.store;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.service.KbQuota;
import dev.kbsync.coordinator.service.KbRegistration;
import dev.kbsync.coordinator.service.KbRegistry;
import dev.kbsync.coordinator.service.KbRemoval;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

/**
 * KBs in the Redis hash {@code kbsync:kbs} (id -> {@code {remote, branch, credentials}}, the credential a reference
 * only), and each KB's registration in its own slot for the submit step ({@link KbKeys#conf()}); known ids are cached
 * locally. A removal tells {@code removing} first (a removed KB's webhook deliveries are recorded), takes the KB out of
 * the hash, then out of its slot in one step ({@link Tickets#remove}): a submit refused by that step finds no
 * registration to restore its conf key from ({@link #settle}).
 */
public final class RedisKbRegistry implements KbRegistry {
    static final String KEY = "kbsync:kbs";
    /** The registry's writes' own key ({@link Redis#durable}), in its slot: the hash tag is the registry's whole key. */
    static final String ACK = "{" + KEY + "}:ack";

    /** Writes a KB into the hash (KEYS[1]; ARGV: id, value). */
    private static final String PUT = """
            redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """;

    /** Writes a KB's conf key and makes its finished records, kept for the retention by a removal, lasting again. */
    private static final String CONF = """
            redis.call('set', KEYS[1], ARGV[1])
            for i = 2, #KEYS do
              redis.call('persist', KEYS[i])
            end
            return 1
            """;

    /**
     * Writes a KB into the hash (KEYS[1]; ARGV: id, value, max, scope patterns) unless it is new and max KBs of the
     * scope are there: -1 when written, else that count.
     */
    private static final String WITHIN = """
            if redis.call('hexists', KEYS[1], ARGV[1]) == 0 then
              local count = 0
              for _, id in ipairs(redis.call('hkeys', KEYS[1])) do
                local inside = #ARGV == 3
                for i = 4, #ARGV do
                  local p = ARGV[i]
                  if p == id or (p:sub(-1) == '*' and id:sub(1, #p - 1) == p:sub(1, -2)) then
                    inside = true
                    break
                  end
                end
                if inside then
                  count = count + 1
                end
              end
              if count >= tonumber(ARGV[3]) then
                return count
              end
            end
            redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
            return -1
            """;

    private final Redis redis;
    private final RMap<String, String> kbs;
    private final Set<KbId> known = ConcurrentHashMap.newKeySet();
    private final Tickets tickets;
    private final Function<KbId, Future<Void>> removing;
    private final Consumer<KbId> removed;
    private final List<Consumer<KbId>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> unheard = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<KbId>>> listings = new CopyOnWriteArrayList<>();

    /**
     * {@code removing}: told of each KB about to be removed here (an idle one), before any of its keys changes; a failure
     * fails the removal. {@code removed}: told of each KB removed here.
     */
    public RedisKbRegistry(
            Redis redis, Tickets tickets, Function<KbId, Future<Void>> removing, Consumer<KbId> removed) {
        this.redis = redis;
        this.kbs = redis.client().getMap(KEY, StringCodec.INSTANCE);
        this.tickets = tickets;
        this.removing = removing;
        this.removed = removed;
    }

    /**
     * Durable, as every write of a registration (the hash, then the KB's conf key): with replicas wanted, answered only
     * once a replica confirmed it (else 503 REPLICATION_TIMEOUT, the write made on the master: a retry is safe).
     */
    @Override
    public Future<KbConfig> register(KbConfig kb) {
        return redis.durable(kb.id(), "kb-put", PUT, ACK, List.of(KEY), kb.id().value(), value(kb))
                .compose(v -> stored(kb));
    }

    @Override
    public Future<KbRegistration> register(KbConfig kb, KbQuota quota) {
        List<Object> args = new ArrayList<>(List.of(kb.id().value(), value(kb), Integer.toString(quota.max())));
        args.addAll(quota.patterns());
        return redis.durable(kb.id(), "kb-register", WITHIN, ACK, List.of(KEY), args.toArray())
                .map(reply -> Long.parseLong(String.valueOf(reply)))
                .compose(count -> count >= 0
                        ? Future.succeededFuture(new KbRegistration.OverQuota(count, quota.max()))
                        : stored(kb).map(KbRegistration.Registered::new));
    }

    /** The KB is in the hash: its conf key follows, and it is known here. */
    private Future<KbConfig> stored(KbConfig kb) {
        return conf(kb).map(v -> {
            known.add(kb.id());
            return kb;
        });
    }

    private static String value(KbConfig kb) {
        JsonObject json = kb.toJson();
        json.remove("id");
        return json.encode();
    }

    /**
     * Writes the KB's registration in its own slot ({@link KbKeys#conf()}: its duplicate window), which a submit's step
     * checks, from the registry: for a KB registered by a version that wrote none there. Completes with whether the KB
     * is registered.
     */
    public Future<Boolean> settle(KbId id) {
        return get(id).compose(found -> found.isEmpty()
                ? Future.succeededFuture(false)
                : conf(found.get()).map(true));
    }

    private Future<Void> conf(KbConfig kb) {
        KbKeys keys = new KbKeys(kb.id());
        List<Object> declared = new ArrayList<>(List.of(keys.conf()));
        declared.addAll(keys.records());
        return redis.durable(kb.id(), "kb-conf", CONF, keys.ack(), declared, kb.dedupeWindowSeconds())
                .mapEmpty();
    }

    /**
     * A KB in use is refused without touching its registration (a step that only checks); an idle one leaves the
     * hash, then its slot unless it came into use meanwhile: then, or if the removal fails, the registration read is
     * put back (unless a registration was made meanwhile). Unlisted first so that a submit refused by the removal
     * cannot write the KB's conf key again from the registry ({@link #settle}).
     */
    @Override
    public Future<KbRemoval> remove(KbId id) {
        return redis.on(kbs.getAsync(id.value()))
                .compose(before -> tickets.refusal(id, before != null)
                        .compose(refused ->
                                refused.isPresent() ? Future.succeededFuture(refused.get()) : removeIdle(id, before)));
    }

    private Future<KbRemoval> removeIdle(KbId id, String before) {
        return removing.apply(id)
                .compose(v -> unlist(id, before))
                .compose(v -> tickets.remove(id, before != null))
                .transform(done -> {
                    Future<KbRemoval> answer = done.succeeded()
                            ? Future.succeededFuture(done.result())
                            : Future.failedFuture(done.cause());
                    if (done.succeeded() && done.result() instanceof KbRemoval.Removed) {
                        known.remove(id);
                        removed.accept(id);
                        listeners.forEach(listener -> listener.accept(id));
                        return answer;
                    }
                    if (before == null) {
                        return answer;
                    }
                    return redis.on(kbs.fastPutIfAbsentAsync(id.value(), before))
                            .transform(put -> answer);
                });
    }

    private Future<Void> unlist(KbId id, String before) {
        return before == null
                ? Future.succeededFuture()
                : redis.on(kbs.fastRemoveAsync(id.value())).mapEmpty();
    }

    /** This coordinator forgets {@code id}, which another coordinator removed. */
    public void forget(KbId id) {
        known.remove(id);
        listeners.forEach(listener -> listener.accept(id));
    }

    @Override
    public void whenRemoved(Consumer<KbId> onRemoved) {
        listeners.add(onRemoved);
    }

    @Override
    public void whenRemovalsUnheard(Runnable onUnheard) {
        unheard.add(onUnheard);
    }

    @Override
    public void whenListed(Consumer<List<KbId>> onListed) {
        listings.add(onListed);
    }

    /**
     * The KBs known here before the registry's ids are read that it no longer lists: removed through another
     * coordinator while this one did not hear it. One read, which {@link #whenListed} listeners hear; a KB learnt here
     * meanwhile, or removed here meanwhile (it was forgotten then), is not among them. A KB missing from the list whose
     * registration is still in its slot is not removed: a removal takes it off the list just before the step that
     * removes it, and puts it back if that step finds it in use; it counts as listed.
     */
    public Future<List<KbId>> unheardRemovals() {
        Set<KbId> before = Set.copyOf(known);
        return ids().compose(listed -> {
            Set<KbId> missing = new HashSet<>(before);
            listed.forEach(missing::remove);
            List<KbId> candidates =
                    missing.stream().sorted(Comparator.comparing(KbId::value)).toList();
            return Future.all(candidates.stream().map(this::registeredInSlot).toList())
                    .map(checked -> {
                        List<KbId> gone = new ArrayList<>();
                        List<KbId> present = new ArrayList<>(listed);
                        for (int i = 0; i < candidates.size(); i++) {
                            (checked.<Boolean>resultAt(i) ? present : gone).add(candidates.get(i));
                        }
                        listings.forEach(listener -> listener.accept(List.copyOf(present)));
                        return gone.stream().filter(known::contains).toList();
                    });
        });
    }

    /** Whether {@code kb}'s registration is in its own slot ({@link KbKeys#conf()}): a removal deletes it last. */
    private Future<Boolean> registeredInSlot(KbId kb) {
        return redis.on(redis.client()
                .getBucket(new KbKeys(kb).conf(), StringCodec.INSTANCE)
                .isExistsAsync());
    }

    /** Tells {@link #whenRemovalsUnheard} listeners that removals may have been missed. */
    public void removalsUnheard() {
        unheard.forEach(Runnable::run);
    }

    @Override
    public Future<Optional<KbConfig>> get(KbId id) {
        return redis.on(kbs.getAsync(id.value()))
                .map(value -> Optional.ofNullable(value).map(v -> parse(id.value(), v)));
    }

    @Override
    public Future<List<KbConfig>> list() {
        return redis.on(kbs.readAllMapAsync())
                .map(all -> all.entrySet().stream()
                        .map(e -> parse(e.getKey(), e.getValue()))
                        .sorted(Comparator.comparing(kb -> kb.id().value()))
                        .toList());
    }

    /** Every registered KB id (keys only, for the periodic sweep). */
    public Future<List<KbId>> ids() {
        return redis.on(kbs.readAllKeySetAsync())
                .map(keys -> keys.stream().map(KbId::of).toList());
    }

    /** Succeeds if the KB is registered, else fails with KB_NOT_FOUND. */
    public Future<Void> require(KbId id) {
        if (known.contains(id)) {
            return Future.succeededFuture();
        }
        return redis.on(kbs.containsKeyAsync(id.value())).compose(exists -> {
            if (!exists) {
                return Future.failedFuture(new NotFoundException("KB_NOT_FOUND", "no KB " + id.value()));
            }
            known.add(id);
            return Future.succeededFuture();
        });
    }

    private static KbConfig parse(String id, String value) {
        return KbConfig.fromJson(new JsonObject(value).put("id", id));
    }
}
