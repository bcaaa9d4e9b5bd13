package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.client.KbsyncClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that reads its event stream, but slower than a big queue's snapshots come (a dashboard on a slow link
 * watching a KB with hundreds of waiters: each snapshot a few hundred KB, one per change), keeps its stream and sees the
 * queue as it is now: while its connection's write queue is full the stream keeps only the latest snapshot of each KB
 * and sends it once the client has read, and drops the client only when it reads nothing for a while ({@link
 * SlowStreamIT}).
 */
class SlowReaderStreamIT {
    private static final int WAITERS = 600;
    /** About 800 KB/s: 16 KiB, then 20 ms of pause. */
    private static final int CHUNK = 16_384;

    private static final long PAUSE_MS = 20;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_LEASE_WAITER_TTL_SECONDS", "600"));

    @Test
    void shouldKeepAStreamWhoseClientReadsSlowlyAndShowItTheLatestQueue() throws Exception {
        api.kb("big");
        KbsyncClient client = api.client(CLIENT);
        client.requestLease(KbId.of("big"), LeaseRequest.of("holder"));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(65_536);
            socket.connect(new InetSocketAddress("127.0.0.1", api.port()));
            socket.getOutputStream()
                    .write(("GET /v1/kbs/big/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            SlowReader reader = new SlowReader(socket.getInputStream(), "\"holder\":\"waiter-" + (WAITERS - 1) + "\"");
            Thread reading = new Thread(reader, "slow-reader");
            reading.start();
            for (int i = 0; i < WAITERS; i++) {
                client.requestLease(KbId.of("big"), LeaseRequest.of("waiter-" + i));
            }

            reading.join(TimeUnit.SECONDS.toMillis(90));
            String text = reader.text();
            assertThat(text).startsWith("HTTP/1.1 200");
            assertThat(text).doesNotContain("SLOW_CONSUMER");
            assertThat(reader.found())
                    .as("a snapshot showing the last waiter reached the reader")
                    .isTrue();
        }
        client.health();
    }

    /** Reads about {@value #CHUNK} bytes every {@value #PAUSE_MS} ms until {@code wanted} shows, the end, or 90 s. */
    private static final class SlowReader implements Runnable {
        private final InputStream in;
        private final String wanted;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile boolean found;

        SlowReader(InputStream in, String wanted) {
            this.in = in;
            this.wanted = wanted;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            byte[] buffer = new byte[CHUNK];
            StringBuilder window = new StringBuilder();
            try {
                while (System.nanoTime() < deadline) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (SocketTimeoutException silent) {
                        continue;
                    }
                    if (n < 0) {
                        return;
                    }
                    synchronized (bytes) {
                        if (bytes.size() < 1_000_000) { // the head, for the status line and an error event
                            bytes.write(buffer, 0, n);
                        }
                    }
                    window.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    if (window.indexOf(wanted) >= 0) {
                        found = true;
                        return;
                    }
                    if (window.indexOf("SLOW_CONSUMER") >= 0) {
                        synchronized (bytes) {
                            bytes.write(window.toString().getBytes(StandardCharsets.ISO_8859_1), 0, window.length());
                        }
                        return;
                    }
                    window.delete(0, Math.max(0, window.length() - 4 * wanted.length() - 64));
                    Thread.sleep(PAUSE_MS);
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended
            }
        }

        boolean found() {
            return found;
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
