package dev.kbsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed test CA and server certificates it issues, made with the {@code openssl} command line (the project
 * ships no certificate builder): RSA 2048 keys, PEM files, two days of validity, the server certificate valid for
 * {@code 127.0.0.1} and {@code localhost}. Nothing leaves the given directory.
 */
public final class TestCertificates {
    private TestCertificates() {}

    /** A CA certificate and its key. */
    public record Ca(Path cert, Path key) {
        /** A server certificate signed by this CA, in {@code <dir>/<name>.pem} and {@code <dir>/<name>.key}. */
        public Server issue(Path dir, String name) {
            Path key = dir.resolve(name + ".key");
            Path csr = dir.resolve(name + ".csr");
            Path cert = dir.resolve(name + ".pem");
            Path ext = write(dir.resolve(name + ".ext"), """
                    subjectAltName=IP:127.0.0.1,DNS:localhost
                    basicConstraints=CA:FALSE
                    keyUsage=digitalSignature,keyEncipherment
                    extendedKeyUsage=serverAuth
                    """);
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + name);
            openssl(
                    dir,
                    "x509",
                    "-req",
                    "-in",
                    csr,
                    "-CA",
                    cert(),
                    "-CAkey",
                    key(),
                    "-CAcreateserial",
                    "-out",
                    cert,
                    "-days",
                    "2",
                    "-extfile",
                    ext);
            return new Server(cert, key);
        }
    }

    /** A server certificate (PEM) and its private key (PEM, PKCS#8). */
    public record Server(Path cert, Path key) {}

    /** A new CA named {@code name}, in {@code <dir>/<name>-ca.pem} and {@code <dir>/<name>-ca.key}. */
    public static Ca ca(Path dir, String name) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path key = dir.resolve(name + "-ca.key");
        Path cert = dir.resolve(name + "-ca.pem");
        openssl(
                dir,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                key,
                "-out",
                cert,
                "-days",
                "2",
                "-subj",
                "/CN=kbsync test CA " + name);
        return new Ca(cert, key);
    }

    private static void openssl(Path dir, Object... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        for (Object arg : args) {
            command.add(arg.toString());
        }
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + command + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("openssl is needed to make test certificates", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
