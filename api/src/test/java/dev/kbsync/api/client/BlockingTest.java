package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The blocking face's wait for a stream that opens: one that opens after the caller gave up is closed. */
class BlockingTest {
    private final Promise<Subscription> opening = Promise.promise();
    private final Late late = new Late();

    @Test
    void shouldCloseAStreamThatOpensAfterTheCallerWasInterrupted() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> new Blocking(Duration.ofSeconds(10)).open(events -> opening.future()))
                    .isInstanceOf(KbsyncException.Interrupted.class);
        } finally {
            Thread.interrupted();
        }

        opening.complete(late);

        assertThat(late.closed).as("nobody reads it: its connection is let go").hasValue(1);
    }

    @Test
    void shouldCloseAStreamThatOpensAfterTheWaitTimedOut() {
        assertThatThrownBy(() -> new Blocking(Duration.ZERO, Duration.ofMillis(200)).open(events -> opening.future()))
                .isInstanceOf(KbsyncException.TimedOut.class);

        opening.complete(late);

        assertThat(late.closed).hasValue(1);
    }

    @Test
    void shouldLeaveAStreamThatOpenedInTimeOpen() {
        opening.complete(late);

        try (EventStream<Object> stream = new Blocking(Duration.ofSeconds(10)).open(events -> opening.future())) {
            assertThat(late.closed).hasValue(0);
        }
        assertThat(late.closed).as("closed by its reader").hasValue(1);
    }

    /** A subscription that counts its closes and never ends on its own (as a queue's stream). */
    private static final class Late implements Subscription {
        private final AtomicInteger closed = new AtomicInteger();
        private final Promise<Void> ended = Promise.promise();

        @Override
        public Future<Void> ended() {
            return ended.future();
        }

        @Override
        public void close() {
            closed.incrementAndGet();
            ended.tryComplete();
        }
    }
}
