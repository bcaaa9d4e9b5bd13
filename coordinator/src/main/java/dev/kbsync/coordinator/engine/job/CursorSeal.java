package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.service.JobCursor;
import dev.kbsync.coordinator.service.ListCursor;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.redisson.api.RBucket;
import org.redisson.client.codec.StringCodec;

/**
 * Job list positions sealed for a caller who may not see the job there (a scan's cut among other users' jobs): the
 * position encrypted with AES-GCM under one key every coordinator shares, kept in Redis ({@link #KEY}, made by the
 * first coordinator that needs it), so any coordinator opens what another sealed. Read from Redis at each use (a sealed
 * cursor is rare): a key lost with Redis's data is replaced, and the cursors sealed under it are INVALID_CURSOR.
 */
final class CursorSeal {
    static final String KEY = "kbsync:{cursors}:key";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] CONTEXT = "kbsync job list cursor".getBytes(StandardCharsets.US_ASCII);

    private final Redis redis;
    private final SecureRandom random = new SecureRandom();

    CursorSeal(Redis redis) {
        this.redis = redis;
    }

    Future<ListCursor.Sealed> seal(JobCursor position) {
        return key().map(key -> {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            byte[] sealed =
                    crypt(Cipher.ENCRYPT_MODE, key, nonce, position.encode().getBytes(StandardCharsets.US_ASCII));
            byte[] box = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, box, NONCE_BYTES, sealed.length);
            return new ListCursor.Sealed(box);
        });
    }

    /** The position {@code cursor} holds; INVALID_CURSOR unless it was sealed under the shared key. */
    Future<JobCursor> open(ListCursor.Sealed cursor) {
        byte[] box = cursor.box();
        if (box.length <= NONCE_BYTES) {
            return Future.failedFuture(invalid());
        }
        return key().map(key -> JobCursor.decode(new String(
                crypt(
                        Cipher.DECRYPT_MODE,
                        key,
                        Arrays.copyOf(box, NONCE_BYTES),
                        Arrays.copyOfRange(box, NONCE_BYTES, box.length)),
                StandardCharsets.US_ASCII)));
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(CONTEXT);
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw invalid();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The shared key: Redis's, or one made now when Redis has none (the first of two coordinators to store it wins). */
    private Future<SecretKey> key() {
        RBucket<String> bucket = redis.client().getBucket(KEY, StringCodec.INSTANCE);
        return redis.on(bucket.getAsync())
                .compose(found -> found != null
                        ? Future.succeededFuture(found)
                        : redis.on(bucket.setIfAbsentAsync(fresh())).compose(made -> redis.on(bucket.getAsync())))
                .map(stored -> new SecretKeySpec(Base64.getDecoder().decode(stored), "AES"));
    }

    private String fresh() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static InvalidInputException invalid() {
        return new InvalidInputException("INVALID_CURSOR", "cursor is not a nextCursor this API gave out");
    }
}
