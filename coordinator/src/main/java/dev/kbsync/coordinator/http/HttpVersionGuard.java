package dev.kbsync.coordinator.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Refuses a request line naming an HTTP version the server does not speak ({@code HTTP/2.0} or {@code HTTP/3.0} over a
 * plain socket, {@code HTTP/1.2}) in the API's error shape: Vert.x answers one with a bare 501 before any handler of
 * the API runs. Put before Vert.x's handler on each connection, it marks such a request as one the HTTP decoder
 * refused (read as HTTP/1.1, so that the answer can be framed), and the server's invalid-request handler answers it:
 * 505 {@code HTTP_VERSION_NOT_SUPPORTED}, connection closed ({@link ServerHandlers#invalidRequestHandler()}).
 */
@ChannelHandler.Sharable
final class HttpVersionGuard extends ChannelInboundHandlerAdapter {
    private static final String NAME = "kbsync-http-version";
    private static final HttpVersionGuard INSTANCE = new HttpVersionGuard();

    private HttpVersionGuard() {}

    /** Puts the guard before Vert.x's handler of {@code connection} (Vert.x's own connections only; once). */
    static void install(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            ChannelHandlerContext vertx = base.channelHandlerContext();
            if (vertx.pipeline().get(NAME) == null) {
                vertx.pipeline().addBefore(vertx.name(), NAME, INSTANCE);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request
                && request.decoderResult().isSuccess()
                && !request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && !request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            String sent = request.protocolVersion().text();
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
            request.setDecoderResult(DecoderResult.failure(new Unsupported(sent)));
        }
        ctx.fireChannelRead(msg);
    }

    /** The decoder's refusal of a request in {@code version}. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(String version) {
            super("the request is in " + version + "; this server speaks HTTP/1.1 and HTTP/1.0", null, false, false);
        }
    }
}
