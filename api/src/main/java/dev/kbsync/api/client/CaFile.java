package dev.kbsync.api.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * Checks a CA file before any request (the CLI's {@code --ca-file}, a worker's coordinator.caFile): it can be read and
 * holds PEM certificates.
 */
public final class CaFile {
    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";

    private CaFile() {}

    /** {@code file} when it holds at least one PEM certificate; else an {@link IllegalArgumentException} saying why. */
    public static Path checked(Path file) {
        byte[] pem;
        try {
            pem = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read (" + why(e) + ")", e);
        }
        if (!new String(pem, StandardCharsets.US_ASCII).contains(BEGIN)) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (" + BEGIN + ")");
        }
        try {
            CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds a PEM certificate that cannot be parsed", e);
        }
        return file;
    }

    private static String why(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        return e instanceof AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
    }
}
