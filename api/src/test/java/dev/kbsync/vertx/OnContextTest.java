package dev.kbsync.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OnContextTest {
    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldBuildTheChainOnTheContextFromAForeignThread() throws Exception {
        Future<Boolean> onContext =
                OnContext.run(context, () -> Future.succeededFuture(Vertx.currentContext() == context));

        assertThat(onContext.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldRunDirectlyWhenAlreadyOnTheContext() throws Exception {
        Promise<Boolean> direct = Promise.promise();
        context.runOnContext(v -> {
            boolean[] ran = {false};
            OnContext.run(context, () -> {
                ran[0] = true;
                return Future.succeededFuture();
            });
            direct.complete(ran[0]);
        });

        assertThat(direct.future().await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldFailWhenTheChainThrows() {
        Future<Object> thrown = OnContext.run(context, () -> {
            throw new IllegalStateException("boom");
        });

        assertThatThrownBy(() -> thrown.await(5, TimeUnit.SECONDS)).hasMessageContaining("boom");
    }

    @Test
    void shouldFailAChainWithNoOutcomeAfterItsTimeout() {
        Future<Object> lost = OnContext.run(
                context, Duration.ofMillis(50), () -> Promise.promise().future());

        assertThatThrownBy(() -> lost.await(5, TimeUnit.SECONDS))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no outcome within 50 ms");
    }

    @Test
    void shouldKeepTheOutcomeThatCameBeforeTheDeadline() throws Exception {
        Future<String> quick = OnContext.deadline(vertx, Future.succeededFuture("ok"), Duration.ofSeconds(5));

        assertThat(quick.await(5, TimeUnit.SECONDS)).isEqualTo("ok");
    }
}
