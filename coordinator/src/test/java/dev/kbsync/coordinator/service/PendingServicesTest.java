package dev.kbsync.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Future;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The services a coordinator hands out before its engine started: every call of every service answers 503
 * REDIS_UNAVAILABLE (a keep-alive: keeps nothing) until the engine's services are attached, and goes to them after (each method, defaults included).
 */
class PendingServicesTest {
    private static final Watchers WATCHERS = new Watchers();
    private static final KeepAlive KEPT = () -> {};
    private static final Map<Class<?>, Function<CoordinatorServices, Object>> SERVICES = Map.of(
            LeaseService.class, CoordinatorServices::leases,
            JobService.class, CoordinatorServices::jobs,
            QueueService.class, CoordinatorServices::queues,
            KbRegistry.class, CoordinatorServices::kbs,
            WorkerRegistry.class, CoordinatorServices::workers);

    private final List<String> calls = new ArrayList<>();

    @Test
    void shouldAnswerRedisUnavailableBeforeTheEngineIsAttachedAndDelegateEveryCallAfter() throws Exception {
        PendingServices pending = new PendingServices();
        assertThat(pending.attached()).isFalse();
        for (Map.Entry<Class<?>, Function<CoordinatorServices, Object>> service : SERVICES.entrySet()) {
            for (Method method : methods(service.getKey())) {
                Object facade = service.getValue().apply(pending.services());
                Object answer;
                try {
                    answer = method.invoke(facade, arguments(method));
                } catch (InvocationTargetException e) {
                    assertThat(RedisHealth.isUnavailable(e.getCause()))
                            .as(method.toString())
                            .isTrue();
                    continue;
                }
                if (answer instanceof KeepAlive kept) { // nothing to keep alive before Redis: a stream fails anyway
                    assertThat(kept).as(method.toString()).isSameAs(KeepAlive.NONE);
                    continue;
                }
                assertThat(answer).as(method.toString()).isInstanceOf(Future.class);
                assertThat(((Future<?>) answer).failed()).as(method.toString()).isTrue();
                assertThat(RedisHealth.isUnavailable(((Future<?>) answer).cause()))
                        .as(method.toString())
                        .isTrue();
            }
        }

        pending.attach(new CoordinatorServices(
                stub(LeaseService.class),
                stub(JobService.class),
                stub(QueueService.class),
                stub(KbRegistry.class),
                stub(WorkerRegistry.class)));
        assertThat(pending.attached()).isTrue();
        for (Map.Entry<Class<?>, Function<CoordinatorServices, Object>> service : SERVICES.entrySet()) {
            for (Method method : methods(service.getKey())) {
                calls.clear();
                Object answer = method.invoke(service.getValue().apply(pending.services()), arguments(method));
                assertThat(calls)
                        .as(method.toString())
                        .containsExactly(service.getKey().getSimpleName() + "." + method.getName());
                if (answer instanceof Future<?> future) {
                    assertThat(future.succeeded()).as(method.toString()).isTrue();
                } else {
                    assertThat(answer).isIn(WATCHERS, KEPT);
                }
            }
        }
    }

    @Test
    void shouldTellTheRemovalsOfTheServicesAttachedLater() {
        PendingServices pending = new PendingServices();
        List<KbId> heard = new ArrayList<>();
        pending.services().kbs().whenRemoved(heard::add);
        List<Consumer<KbId>> engine = new ArrayList<>();
        KbRegistry kbs = type(KbRegistry.class, (method, args) -> {
            if (method.getName().equals("whenRemoved")) {
                @SuppressWarnings("unchecked")
                Consumer<KbId> listener = (Consumer<KbId>) args[0];
                engine.add(listener);
            }
            return null;
        });

        attach(pending, kbs);
        engine.forEach(listener -> listener.accept(KbId.of("gone")));

        assertThat(heard).containsExactly(KbId.of("gone"));
    }

    @Test
    void shouldTellTheUnheardRemovalsOfTheServicesAttachedLater() {
        PendingServices pending = new PendingServices();
        List<String> heard = new ArrayList<>();
        pending.services().kbs().whenRemovalsUnheard(() -> heard.add("unheard"));
        List<Runnable> engine = new ArrayList<>();
        KbRegistry kbs = type(KbRegistry.class, (method, args) -> {
            if (method.getName().equals("whenRemovalsUnheard")) {
                engine.add((Runnable) args[0]);
            }
            return null;
        });

        attach(pending, kbs);
        engine.forEach(Runnable::run);

        assertThat(heard).containsExactly("unheard");
    }

    @Test
    void shouldTellTheListingsOfTheServicesAttachedLater() {
        PendingServices pending = new PendingServices();
        List<List<KbId>> heard = new ArrayList<>();
        pending.services().kbs().whenListed(heard::add);
        List<Consumer<List<KbId>>> engine = new ArrayList<>();
        KbRegistry kbs = type(KbRegistry.class, (method, args) -> {
            if (method.getName().equals("whenListed")) {
                @SuppressWarnings("unchecked")
                Consumer<List<KbId>> listener = (Consumer<List<KbId>>) args[0];
                engine.add(listener);
            }
            return null;
        });

        attach(pending, kbs);
        engine.forEach(listener -> listener.accept(List.of(KbId.of("listed"))));

        assertThat(heard).containsExactly(List.of(KbId.of("listed")));
    }

    /** Attaches stub services around {@code kbs}. */
    private void attach(PendingServices pending, KbRegistry kbs) {
        pending.attach(new CoordinatorServices(
                stub(LeaseService.class),
                stub(JobService.class),
                stub(QueueService.class),
                kbs,
                stub(WorkerRegistry.class)));
    }

    /**
     * Every instance method, defaults included, but the submit convenience that calls the other submit and the registry
     * listeners (kept by the facade itself: {@link #shouldTellTheRemovalsOfTheServicesAttachedLater}).
     */
    private static List<Method> methods(Class<?> type) {
        return List.of(type.getMethods()).stream()
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !(m.getName().equals("submit") && m.getParameterCount() == 4))
                .filter(m -> !m.getName().equals("whenRemoved"))
                .filter(m -> !m.getName().equals("whenRemovalsUnheard"))
                .filter(m -> !m.getName().equals("whenListed"))
                .toList();
    }

    private static Object[] arguments(Method method) {
        return List.of(method.getParameterTypes()).stream()
                .map(t -> t == long.class ? (Object) 0L : t == int.class ? (Object) 0 : null)
                .toArray();
    }

    private <T> T stub(Class<T> type) {
        return type(type, (method, args) -> {
            calls.add(type.getSimpleName() + "." + method.getName());
            if (method.getReturnType() == void.class) {
                return null;
            }
            if (method.getReturnType() == KeepAlive.class) {
                return KEPT;
            }
            return method.getReturnType() == Watchers.class ? WATCHERS : Future.succeededFuture();
        });
    }

    private static <T> T type(Class<T> type, BiFunction<Method, Object[], Object> answer) {
        return type.cast(Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> answer.apply(method, args)));
    }
}
