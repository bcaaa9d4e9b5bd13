package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lanes: a lane's share of the threads is all a lane whose tasks never end can hold. */
class LanesTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void shouldRunOtherLanesTasksWhileOneLaneHoldsItsShare() throws Exception {
        Lanes lanes = new Lanes(threads, 4, 2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuckStarted = new CountDownLatch(2);
        CountDownLatch thirdStuck = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            assertThat(lanes.execute(
                            KbMirrors.host("https://slow.example/kb" + i + ".git"),
                            () -> {
                                stuckStarted.countDown();
                                await(release);
                            },
                            () -> {}))
                    .as("a task that finds its lane's share free does not wait")
                    .isFalse();
        }
        assertThat(lanes.execute(KbMirrors.host("https://slow.example/kb2.git"), thirdStuck::countDown, () -> {}))
                .as("a third task of the slow lane waits")
                .isTrue();
        assertThat(stuckStarted.await(5, TimeUnit.SECONDS)).isTrue();

        CountDownLatch others = new CountDownLatch(2);
        lanes.execute(KbMirrors.host("https://fast.example/a.git"), others::countDown, () -> {});
        lanes.execute(KbMirrors.host("/srv/git/b.git"), others::countDown, () -> {});
        assertThat(others.await(5, TimeUnit.SECONDS))
                .as("other lanes' tasks run while the slow lane holds its share")
                .isTrue();
        assertThat(thirdStuck.getCount())
                .as("a third task of the slow lane waits for its share")
                .isEqualTo(1);

        release.countDown();
        assertThat(thirdStuck.await(5, TimeUnit.SECONDS))
                .as("and runs once one of its lane's ends")
                .isTrue();
    }

    @Test
    void shouldNeverRunATaskTakenBackWhileItWaited() throws Exception {
        Lanes lanes = new Lanes(threads, 4, 1);
        CountDownLatch release = new CountDownLatch(1);
        lanes.execute("kb", () -> await(release), () -> {});
        CountDownLatch ran = new CountDownLatch(1);
        Runnable waiting = ran::countDown;
        assertThat(lanes.execute("kb", waiting, () -> {})).isTrue();

        assertThat(lanes.withdraw(waiting)).as("it was waiting").isTrue();
        assertThat(lanes.withdraw(waiting)).as("it is gone").isFalse();
        CountDownLatch next = new CountDownLatch(1);
        lanes.execute("kb", next::countDown, () -> {});
        release.countDown();
        assertThat(next.await(5, TimeUnit.SECONDS))
                .as("the lane's next task runs")
                .isTrue();
        assertThat(ran.getCount()).as("the one taken back never ran").isEqualTo(1);
    }

    @Test
    void shouldPutFetchesInALanePerHostAndPort() {
        assertThat(KbMirrors.host("https://GitHub.com/a/b.git")).isEqualTo(KbMirrors.host("https://github.com/c.git"));
        assertThat(KbMirrors.host("http://127.0.0.1:1234/a.git")).isNotEqualTo(KbMirrors.host("http://127.0.0.1:99/a"));
        assertThat(KbMirrors.host("/srv/git/a.git")).isEqualTo(KbMirrors.host("file:///srv/git/b.git"));
        // a default port named or left out is the same host's one lane (two lanes would let a hung host take them all)
        assertThat(KbMirrors.host("https://git.example/a.git")).isEqualTo(KbMirrors.host("https://git.example:443/b"));
        assertThat(KbMirrors.host("http://git.example/a.git")).isEqualTo(KbMirrors.host("http://git.example:80/b"));
        assertThat(KbMirrors.host("ssh://git@git.example/a.git")).isEqualTo(KbMirrors.host("git@git.example:b.git"));
        assertThat(KbMirrors.host("ssh://git@git.example:22/a.git")).isEqualTo(KbMirrors.host("git@git.example:b.git"));
        assertThat(KbMirrors.host("git://git.example/a.git")).isEqualTo(KbMirrors.host("git://git.example:9418/b"));
        assertThat(KbMirrors.host("https://git.example/a.git")).isNotEqualTo(KbMirrors.host("http://git.example/a"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
