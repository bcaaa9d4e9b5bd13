package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.GitAuth;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LocalLockConfig;
import dev.kbsync.worker.fixture.GitFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker serving many KBs keeps at most its bound of checkouts open (each holds an open repository and its pack
 * handles): the least recently used beyond it are closed, never one in use, and a closed KB's next job reopens its
 * work tree on disk.
 */
class CheckoutCacheTest {
    @TempDir
    Path tmp;

    private final LocalKbLock locks = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());

    @Test
    void shouldCloseTheLeastRecentlyUsedCheckoutsBeyondItsBound() {
        try (CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE, 2)) {
            KbConfig a = kb("a");
            KbConfig b = kb("b");
            KbConfig c = kb("c");
            KbCheckout first = use(cache, a);
            use(cache, b);
            use(cache, c);
            use(cache, b);

            cache.closeIdle(locks);

            assertThat(cache.open()).containsExactlyInAnyOrder(KbId.of("b"), KbId.of("c"));
            KbCheckout again = use(cache, a);
            assertThat(again).as("a closed KB gets a new checkout").isNotSameAs(first);
            assertThat(Files.exists(tmp.resolve("cache/a/work/.git")))
                    .as("its work tree stays on disk")
                    .isTrue();
        }
    }

    @Test
    void shouldNotCloseACheckoutWhoseLocalLockIsHeld() {
        try (CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE, 1)) {
            KbConfig a = kb("a");
            KbConfig b = kb("b");
            use(cache, a);
            use(cache, b);

            try (LocalKbLock.Handle held = locks.acquire(cache.lockDir(a), "a session")) {
                cache.closeIdle(locks);

                assertThat(cache.open()).as("a is in use").contains(KbId.of("a"));
            }
            cache.closeIdle(locks);
            assertThat(cache.open()).containsExactly(KbId.of("b"));
        }
    }

    private KbConfig kb(String id) {
        return new KbConfig(KbId.of(id), GitFixture.bareRemote(tmp.resolve("remotes/" + id + ".git")), "main");
    }

    private KbCheckout use(CheckoutCache cache, KbConfig kb) {
        try (LocalKbLock.Handle held = locks.acquire(cache.lockDir(kb), "job")) {
            KbCheckout checkout = cache.checkout(kb);
            checkout.syncToRemote();
            return checkout;
        }
    }
}
