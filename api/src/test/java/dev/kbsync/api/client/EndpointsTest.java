package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.client.Endpoints.Endpoint;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EndpointsTest {
    private static final URI A = URI.create("http://a:8080");
    private static final URI B = URI.create("https://b/kbsync/");
    private static final URI C = URI.create("http://c:9000");

    private final AtomicLong now = new AtomicLong(1_000);
    private final Endpoints three = new Endpoints(List.of(A, B, C), Duration.ofNanos(100), now::get);

    @Test
    void shouldStartOnTheFirstAndKnowHowToReachEach() {
        Endpoint b = three.failed(three.current(), "refused");

        assertThat(three.size()).isEqualTo(3);
        assertThat(b.url()).isEqualTo(B);
        assertThat(b.host()).isEqualTo("b");
        assertThat(b.port()).isEqualTo(443);
        assertThat(b.ssl()).isTrue();
        assertThat(b.prefix()).isEqualTo("/kbsync");
        assertThat(new Endpoints(List.of(A), Duration.ofSeconds(1)).current().port())
                .isEqualTo(8080);
    }

    @Test
    void shouldMoveToTheNextWhenTheCurrentFailsAndWrapAround() {
        Endpoint a = three.current();

        Endpoint b = three.failed(a, "refused");
        Endpoint c = three.failed(b, "timed out");
        Endpoint back = three.failed(c, "503");

        assertThat(List.of(b.url(), c.url(), back.url())).containsExactly(B, C, A);
        assertThat(three.moves()).isEqualTo(3);
    }

    @Test
    void shouldMoveOnceForConcurrentFailuresOfOneCoordinator() {
        Endpoint a = three.current();

        three.failed(a, "refused");
        Endpoint still = three.failed(a, "refused too");

        assertThat(still.url()).isEqualTo(B);
        assertThat(three.moves()).isEqualTo(1);
    }

    @Test
    void shouldNeverMoveWithOneCoordinator() {
        Endpoints one = new Endpoints(List.of(A), Duration.ofNanos(1), now::get);

        one.failed(one.current(), "refused");
        now.addAndGet(10);

        assertThat(one.current().url()).isEqualTo(A);
        assertThat(one.moves()).isZero();
        assertThat(one.probeDue()).isEmpty();
    }

    @Test
    void shouldProbeThePreferredOnesOncePerIntervalWhileAway() {
        assertThat(three.probeDue()).isEmpty();
        Endpoint b = three.failed(three.current(), "refused");
        three.failed(b, "refused");

        assertThat(three.probeDue()).as("not due yet").isEmpty();
        now.addAndGet(100);
        assertThat(three.probeDue()).extracting(Endpoint::url).containsExactly(A, B);
        assertThat(three.probeDue()).as("one probe per interval").isEmpty();
        now.addAndGet(100);
        assertThat(three.probeDue()).hasSize(2);
    }

    @Test
    void shouldMoveBackToAPreferredOneThatAnswers() {
        Endpoint a = three.current();
        Endpoint b = three.failed(a, "refused");
        Endpoint c = three.failed(b, "refused");

        assertThat(three.answered(c)).as("not preferred to the current one").isEmpty();
        assertThat(three.answered(b)).map(Endpoint::url).contains(B);
        assertThat(three.answered(a)).map(Endpoint::url).contains(A);
        assertThat(three.current().url()).isEqualTo(A);
        assertThat(three.moves()).isEqualTo(4);
        now.addAndGet(1_000);
        assertThat(three.probeDue()).as("on the first: nothing to probe").isEmpty();
    }
}
