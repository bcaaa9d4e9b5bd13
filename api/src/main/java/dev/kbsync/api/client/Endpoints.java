package dev.kbsync.api.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinators a client may talk to, in order of preference, and which one it talks to now. All of them serve the
 * same state (it lives in Redis), so any call may go to any of them. A call that finds the current one unavailable
 * moves the client to the next one ({@link #failed}); while the client is not on the first, a probe of the preferred
 * ones is due at most once per probe interval ({@link #probeDue}), and one that answers takes the client back
 * ({@link #answered}). With one URL nothing ever moves. Thread-safe.
 */
final class Endpoints {
    private static final Logger log = LoggerFactory.getLogger(Endpoints.class);
    /** Moves away are logged at WARN at most once per this period (then at DEBUG); moves back always at INFO. */
    private static final long QUIET_NANOS = Duration.ofSeconds(10).toNanos();

    /** One coordinator: its base URL as given, what a request needs, its place in the order. */
    record Endpoint(int index, URI url, String host, int port, boolean ssl, String prefix) {
        static Endpoint of(int index, URI url) {
            boolean ssl = url.getScheme().equalsIgnoreCase("https");
            String path = url.getRawPath() == null ? "" : url.getRawPath();
            return new Endpoint(
                    index,
                    url,
                    url.getHost(),
                    url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80,
                    ssl,
                    path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        }

        @Override
        public String toString() {
            return url.toString();
        }
    }

    private final List<Endpoint> all;
    private final long probeNanos;
    private final LongSupplier nanos;
    private final AtomicInteger current = new AtomicInteger();
    private final AtomicLong nextProbe = new AtomicLong();
    private final AtomicLong moves = new AtomicLong();
    private final AtomicLong lastWarned;

    Endpoints(List<URI> urls, Duration probeInterval, LongSupplier nanos) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (URI url : urls) {
            endpoints.add(Endpoint.of(endpoints.size(), url));
        }
        this.all = List.copyOf(endpoints);
        this.probeNanos = probeInterval.toNanos();
        this.nanos = nanos;
        this.lastWarned = new AtomicLong(nanos.getAsLong() - QUIET_NANOS);
    }

    Endpoints(List<URI> urls, Duration probeInterval) {
        this(urls, probeInterval, System::nanoTime);
    }

    int size() {
        return all.size();
    }

    /** The coordinator calls go to now. */
    Endpoint current() {
        return all.get(current.get());
    }

    /** How often the client moved from one coordinator to another, both ways. */
    long moves() {
        return moves.get();
    }

    /**
     * A call to {@code endpoint} got no usable answer ({@code why}): if the client was still on it, it moves to the next
     * one (after the last, the first). Returns the coordinator to use now. Concurrent failures of one coordinator
     * move the client once.
     */
    Endpoint failed(Endpoint endpoint, String why) {
        if (all.size() > 1) {
            int next = (endpoint.index() + 1) % all.size();
            if (current.compareAndSet(endpoint.index(), next)) {
                moves.incrementAndGet();
                long now = nanos.getAsLong();
                nextProbe.set(now + probeNanos);
                long last = lastWarned.get();
                if (now - last >= QUIET_NANOS && lastWarned.compareAndSet(last, now)) {
                    log.warn("coordinator {} unavailable ({}); moving to {}", endpoint, why, all.get(next));
                } else { // none answers (Redis down behind all of them?): one WARN per quiet period
                    log.debug("coordinator {} unavailable ({}); moving to {}", endpoint, why, all.get(next));
                }
            }
        }
        return current();
    }

    /**
     * The coordinators preferred to the current one, most preferred first, when a probe of them is due (then the next
     * one is due a probe interval later); empty otherwise, and always when the client is on the first.
     */
    List<Endpoint> probeDue() {
        int now = current.get();
        long due = nextProbe.get();
        long time = nanos.getAsLong();
        if (now == 0 || time - due < 0 || !nextProbe.compareAndSet(due, time + probeNanos)) {
            return List.of();
        }
        return all.subList(0, now);
    }

    /**
     * {@code endpoint} answered a probe: if it is preferred to the current one, the client moves back to it. Returns
     * the endpoint moved back to, if it did.
     */
    Optional<Endpoint> answered(Endpoint endpoint) {
        while (true) {
            int now = current.get();
            if (endpoint.index() >= now) {
                return Optional.empty();
            }
            if (current.compareAndSet(now, endpoint.index())) {
                moves.incrementAndGet();
                log.info("coordinator {} answers again; moving back to it from {}", endpoint, all.get(now));
                return Optional.of(endpoint);
            }
        }
    }
}
