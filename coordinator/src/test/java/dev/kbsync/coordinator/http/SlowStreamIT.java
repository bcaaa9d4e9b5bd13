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
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that opens an event stream and does not read it is dropped with a clear event, never buffered for without
 * bound: a KB stream whose reader stopped, while 400 waiters join the KB (a snapshot event per change, growing with
 * the queue: tens of MB in all), ends with {@code event: error} {@code SLOW_CONSUMER} once the connection's write
 * queue has stayed full and unread for {@link Sse#STALL_MS}; the coordinator keeps serving.
 */
class SlowStreamIT {
    private static final int WAITERS = 400;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    @Test
    void shouldDropAStreamWhoseClientDoesNotRead() throws IOException, InterruptedException {
        api.kb("slow");
        KbsyncClient client = api.client(CLIENT);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(65_536); // caps what the kernel takes for the client (up to 32 MiB here)
            socket.connect(new InetSocketAddress("127.0.0.1", api.port()));
            socket.getOutputStream()
                    .write(("GET /v1/kbs/slow/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < WAITERS; i++) { // the reader does not read meanwhile
                client.requestLease(KbId.of("slow"), LeaseRequest.of("holder-" + i));
            }
            // nor for as long as a full write queue may go unread (its queue was full by the last join at the latest;
            // a client that reads, late, keeps its stream: SlowReaderStreamIT)
            TimeUnit.MILLISECONDS.sleep(Sse.STALL_MS + 2_000);

            String text = readUntilEnded(socket);

            assertThat(text).startsWith("HTTP/1.1 200");
            assertThat(text).contains("event: error\ndata: {\"error\":{\"code\":\"SLOW_CONSUMER\"");
            assertThat(text).endsWith("\r\n0\r\n\r\n"); // the stream ended after it
            assertThat(text.length())
                    .as("what the coordinator had buffered for the stream")
                    .isLessThan(20_000_000);
        }
        client.health(); // throws unless the coordinator answers
    }

    /**
     * What the socket gets until the response's last chunk, the connection's end, or 30 s (the stream's keep-alive
     * comments never let it fall silent).
     */
    private static String readUntilEnded(Socket socket) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        socket.setSoTimeout(1_000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[65536];
        String lastChunk = "\r\n0\r\n\r\n";
        StringBuilder tail = new StringBuilder();
        try {
            int n;
            while (System.nanoTime() < deadline && (n = read(in, buffer)) >= 0) {
                bytes.write(buffer, 0, n);
                tail.append(new String(
                        buffer,
                        Math.max(0, n - lastChunk.length()),
                        Math.min(n, lastChunk.length()),
                        StandardCharsets.ISO_8859_1));
                tail.delete(0, Math.max(0, tail.length() - lastChunk.length()));
                if (tail.toString().equals(lastChunk)) {
                    break;
                }
            }
        } catch (SocketException closed) {
            // the server closed the connection
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** What {@code in} has (0 bytes after a second of silence), or -1 at its end. */
    private static int read(InputStream in, byte[] buffer) throws IOException {
        try {
            return in.read(buffer);
        } catch (SocketTimeoutException silent) {
            return 0;
        }
    }
}
