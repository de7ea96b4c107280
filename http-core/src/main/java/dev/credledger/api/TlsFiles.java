package dev.credledger.api;

import dev.credledger.events.sealing.OwnerOnly;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP API's TLS identity from PEM files, as most tools write them: a certificate chain (server certificate
 * first) and an unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}; RSA, EC or Ed25519), the key
 * file readable by its owner only. Loaded into an in-memory key store for Jetty; also the trust anchor instances use
 * to reach each other and the health probe uses to reach its own instance.
 */
public final class TlsFiles {

    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    /** The in-memory key store's password: it never leaves this process. */
    public static final char[] STORE_PASSWORD = "credledger-in-memory".toCharArray();

    private final KeyStore keyStore;
    private final List<Certificate> chain;

    private TlsFiles(KeyStore keyStore, List<Certificate> chain) {
        this.keyStore = keyStore;
        this.chain = chain;
    }

    public static TlsFiles load(Path certFile, Path keyFile) {
        try {
            OwnerOnly.check(keyFile, "--tls-key");
            List<Certificate> chain = certificates(certFile);
            PrivateKey key = privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("credledger", key, STORE_PASSWORD, chain.toArray(Certificate[]::new));
            return new TlsFiles(store, chain);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert/--tls-key: cannot load the TLS identity: " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM file (one or more {@code -----BEGIN CERTIFICATE-----} blocks). */
    static List<Certificate> certificates(Path certFile) throws IOException, GeneralSecurityException {
        byte[] pem = Files.readAllBytes(certFile);
        List<Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem)));
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + certFile);
        }
        return chain;
    }

    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            // Never quote the file: it is a private key.
            throw new GeneralSecurityException("the key file is not an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----;"
                    + " convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next
            }
        }
        throw new GeneralSecurityException("the key is not an RSA, EC or Ed25519 PKCS#8 key");
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    /**
     * A client context that trusts this identity's certificates (and nothing else): how one instance reaches another
     * (same certificate, or one from the same private CA if the chain file includes it).
     */
    public SSLContext clientContext() {
        return trusting(chain);
    }

    /** A client context that trusts the certificates of a PEM file (and nothing else). */
    public static SSLContext trusting(Path certFile) {
        try {
            return trusting(certificates(certFile));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the certificates of " + certFile + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext trusting(List<Certificate> chain) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < chain.size(); i++) {
                trust.setCertificateEntry("credledger-" + i, chain.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS client context", e);
        }
    }
}
