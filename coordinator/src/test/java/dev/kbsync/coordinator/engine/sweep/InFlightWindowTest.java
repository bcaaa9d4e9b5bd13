package dev.kbsync.coordinator.engine.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InFlightWindowTest {
    private final List<Promise<Void>> started = new ArrayList<>();

    private Future<?> step(Integer item) {
        Promise<Void> p = Promise.promise();
        started.add(p);
        return p.future();
    }

    @Test
    void shouldKeepAtMostTheWidthInFlightAndStartTheNextAsOneCompletes() {
        Future<Void> all = InFlightWindow.all(IntStream.range(0, 20).boxed().toList(), 8, this::step);

        assertThat(started).hasSize(8);
        started.get(3).complete();
        assertThat(started).as("the next one started").hasSize(9);
        int completed = 1;
        for (int i = 0; i < 20; i++) {
            if (started.get(i).tryComplete()) {
                completed++;
            }
            assertThat(started.size() - completed).as("in flight").isBetween(0, 8);
            assertThat(all.isComplete()).isEqualTo(completed == 20);
        }
        assertThat(started).hasSize(20);
        assertThat(all.succeeded()).isTrue();
    }

    @Test
    void shouldRunEveryStepAndThenFailWithTheFirstFailure() {
        Future<Void> all = InFlightWindow.all(List.of(1, 2, 3, 4), 2, this::step);

        started.get(0).fail("first");
        started.get(1).complete();
        started.get(2).fail("second");
        assertThat(all.isComplete()).as("one step still in flight").isFalse();
        started.get(3).complete();

        assertThat(started).hasSize(4);
        assertThat(all.failed()).isTrue();
        assertThat(all.cause()).hasMessage("first");
    }

    @Test
    void shouldRunStepsThatCompleteAtOnceWithoutRecursingPerStep() {
        // a pass whose steps fail at once (Redis client shut down) over many KBs: no stack depth per step
        Future<Void> all = InFlightWindow.all(
                IntStream.range(0, 200_000).boxed().toList(), 16, i -> Future.failedFuture("down " + i));

        assertThat(all.failed()).isTrue();
        assertThat(all.cause()).hasMessage("down 0");
    }

    @Test
    void shouldCompleteAtOnceWithNothingToDo() {
        assertThat(InFlightWindow.all(List.<Integer>of(), 8, this::step).succeeded())
                .isTrue();
    }
}
