package dev.kbsync.worker.credentials;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The JSON Web Token a GitHub App authenticates with (RS256): issued 60 s in the past against clock drift, expiring 9
 * minutes after now (GitHub refuses more than 10), {@code iss} the app's id.
 */
final class AppJwt {
    static final Duration BACKDATE = Duration.ofSeconds(60);
    static final Duration LIFETIME = Duration.ofMinutes(9);
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private AppJwt() {}

    static String sign(String appId, PrivateKey key, Instant now) throws GeneralSecurityException {
        JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT");
        JsonObject claims = new JsonObject()
                .put("iat", now.minus(BACKDATE).getEpochSecond())
                .put("exp", now.plus(LIFETIME).getEpochSecond())
                .put("iss", appId);
        String signed = part(header) + "." + part(claims);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + URL.encodeToString(rsa.sign());
    }

    private static String part(JsonObject json) {
        return URL.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
    }
}
