package dev.kbsync.coordinator.tls;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Whether a PEM key belongs to its certificate: the key signs a sample and the certificate's public key must verify it
 * (TLS itself would only fail at every handshake). Keys of a kind it cannot sign with here pass unchecked.
 */
final class KeyMatch {
    private static final byte[] SAMPLE =
            "kbsync: does this key belong to this certificate?".getBytes(StandardCharsets.UTF_8);
    private static final Map<String, String> SIGNATURES =
            Map.of("RSA", "SHA256withRSA", "EC", "SHA256withECDSA", "EdDSA", "EdDSA", "Ed25519", "Ed25519");

    private KeyMatch() {}

    /**
     * Loads the pair as the server would, and answers whether each of its keys matches its certificate. Blocking (it
     * parses and signs): call it off the event loop. Throws what a pair that does not load throws.
     */
    static boolean matches(Vertx vertx, PemKeyCertOptions pair) throws Exception {
        KeyStore store = pair.loadKeyStore(vertx);
        Optional<X509KeyManager> keys = x509(pair.getKeyManagerFactory(vertx).getKeyManagers());
        if (keys.isEmpty()) {
            return true;
        }
        for (String alias : Collections.list(store.aliases())) {
            PrivateKey key = keys.get().getPrivateKey(alias);
            Certificate[] chain = store.getCertificateChain(alias);
            if (key != null && chain != null && chain.length > 0 && !signs(key, chain[0].getPublicKey())) {
                return false;
            }
        }
        return true;
    }

    private static boolean signs(PrivateKey key, PublicKey certified) throws GeneralSecurityException {
        String algorithm = SIGNATURES.get(key.getAlgorithm());
        if (algorithm == null) {
            return true;
        }
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            return false;
        }
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(SAMPLE);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certified);
        verifier.update(SAMPLE);
        return verifier.verify(signature);
    }

    private static Optional<X509KeyManager> x509(KeyManager[] managers) {
        for (KeyManager manager : managers) {
            if (manager instanceof X509KeyManager x509) {
                return Optional.of(x509);
            }
        }
        return Optional.empty();
    }
}
