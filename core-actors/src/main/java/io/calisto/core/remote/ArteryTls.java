package io.calisto.core.remote;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Artery's {@code tls-tcp} transport with mutual authentication, from one of our TLS blocks
 * ({@code calisto.serve.tls}, {@code calisto.ctl.tls}, {@code calisto.app.tls}):
 * <pre>
 * enabled = off               # on: every connection of this actor system is TLS, both peers show a certificate
 * key-store = ""              # this side's identity: a PKCS12 (or JKS) file with one private key and its chain
 * key-store-password = ""
 * key-password = ""           # "" = key-store-password (PKCS12 stores made by keytool use one password)
 * trust-store = ""            # who is let in, and who we connect to: the CA certificate(s) that sign every peer
 * trust-store-password = ""
 * protocol = "TLSv1.3"
 * enabled-algorithms = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
 * </pre>
 * {@link #artery} checks the files before anything starts (a store that does not open, a wrong password, a store
 * without a key or without a certificate, an expired certificate, an unknown protocol or cipher suite) and throws
 * {@link IllegalArgumentException} with one line that starts with the offending key.
 */
public final class ArteryTls {
    private ArteryTls() {}

    /** Defaults of every TLS block, for a config that lacks the modules' reference.conf. */
    private static final Config DEFAULTS = ConfigFactory.parseString("""
        enabled = off
        key-store = ""
        key-store-password = ""
        key-password = ""
        trust-store = ""
        trust-store-password = ""
        protocol = "TLSv1.3"
        enabled-algorithms = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
        """);

    /** Whether the TLS block at {@code path} is turned on ({@code path.enabled = on}); a missing block is off. */
    public static boolean enabled(Config config, String path) {
        return config.hasPath(path + ".enabled") && config.getBoolean(path + ".enabled");
    }

    /**
     * The Pekko settings that make an actor system speak {@code tls-tcp} with mutual authentication, from the TLS
     * block at {@code path} (which must be {@link #enabled}); the stores are checked first.
     *
     * @throws IllegalArgumentException one line naming the key whose value is wrong
     */
    public static Config artery(Config config, String path) {
        Config c;
        try {
            c = config.getConfig(path).withFallback(DEFAULTS);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(path + " must be a TLS block: " + e.getMessage());
        }
        String keyStorePassword = string(c, path, "key-store-password");
        String keyPassword = string(c, path, "key-password").isEmpty() ? keyStorePassword : string(c, path, "key-password");
        String trustStorePassword = string(c, path, "trust-store-password");
        Path keyStore = file(c, path, "key-store");
        Path trustStore = file(c, path, "trust-store");

        KeyStore keys = load(keyStore, keyStorePassword, path, "key-store");
        checkKey(keys, keyStore, keyPassword, path);
        KeyStore trust = load(trustStore, trustStorePassword, path, "trust-store");
        checkTrust(trust, trustStore, path);

        String protocol = string(c, path, "protocol");
        List<String> algorithms;
        try {
            algorithms = c.getStringList("enabled-algorithms");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(path + ".enabled-algorithms must be a list of cipher suite names: " + e.getMessage());
        }
        try {
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(null, null, null);
            Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
            if (algorithms.isEmpty()) throw new IllegalArgumentException(path + ".enabled-algorithms is empty");
            for (String a : algorithms) {
                if (!supported.contains(a)) {
                    throw new IllegalArgumentException(path + ".enabled-algorithms: '" + a + "' is not a cipher suite this JDK supports with " + protocol);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(path + ".protocol: '" + protocol + "' is not a TLS protocol this JDK supports (TLSv1.3, TLSv1.2)");
        }

        String ssl = "pekko.remote.artery.ssl.config-ssl-engine.";
        return ConfigFactory.empty()
            .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
            .withValue("pekko.remote.artery.ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef("org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider"))
            .withValue(ssl + "key-store", ConfigValueFactory.fromAnyRef(keyStore.toString()))
            .withValue(ssl + "key-store-password", ConfigValueFactory.fromAnyRef(keyStorePassword))
            .withValue(ssl + "key-password", ConfigValueFactory.fromAnyRef(keyPassword))
            .withValue(ssl + "trust-store", ConfigValueFactory.fromAnyRef(trustStore.toString()))
            .withValue(ssl + "trust-store-password", ConfigValueFactory.fromAnyRef(trustStorePassword))
            .withValue(ssl + "protocol", ConfigValueFactory.fromAnyRef(protocol))
            .withValue(ssl + "enabled-algorithms", ConfigValueFactory.fromIterable(algorithms))
            .withValue(ssl + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true))
            // peers are known by the CA that signed them, not by host name (apps and ctl connect from any address)
            .withValue(ssl + "hostname-verification", ConfigValueFactory.fromAnyRef(false));
    }

    /** A one-line description of the TLS block for a start-up line: stores and protocol, never passwords. */
    public static String describe(Config config, String path) {
        Config c = config.getConfig(path).withFallback(DEFAULTS);
        return "tls-tcp (mutual authentication, " + c.getString("protocol") + ") key-store=" + c.getString("key-store")
            + " trust-store=" + c.getString("trust-store");
    }

    private static String string(Config c, String path, String key) {
        try {
            return c.getString(key);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(path + "." + key + " must be a string: " + e.getMessage());
        }
    }

    private static Path file(Config c, String path, String key) {
        String name = string(c, path, key);
        if (name.isBlank()) throw new IllegalArgumentException(path + "." + key + " is not set (" + path + ".enabled = on needs it)");
        Path p = Path.of(name).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException(path + "." + key + ": no such file '" + name + "'");
        if (!Files.isReadable(p)) throw new IllegalArgumentException(path + "." + key + ": cannot read '" + name + "'");
        return p;
    }

    /** Loads as Pekko's ConfigSSLEngineProvider does: the JDK's default store type (PKCS12, which reads JKS too). */
    private static KeyStore load(Path file, String password, String path, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(in, password.toCharArray());
            return ks;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new IllegalArgumentException(path + "." + key + "-password does not open " + file);
            }
            throw new IllegalArgumentException(path + "." + key + ": " + file + " is not a PKCS12 or JKS key store (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(path + "." + key + ": " + file + " cannot be loaded (" + e.getMessage() + ")");
        }
    }

    private static void checkKey(KeyStore ks, Path file, String keyPassword, String path) {
        try {
            int keys = 0;
            for (String alias : Collections.list(ks.aliases())) {
                if (!ks.isKeyEntry(alias)) continue;
                keys++;
                try {
                    if (ks.getKey(alias, keyPassword.toCharArray()) == null) continue;
                } catch (UnrecoverableKeyException e) {
                    throw new IllegalArgumentException(path + ".key-password does not unlock the key '" + alias + "' in " + file);
                }
                if (ks.getCertificate(alias) instanceof X509Certificate cert) valid(cert, alias, file, path + ".key-store");
            }
            if (keys == 0) throw new IllegalArgumentException(path + ".key-store: " + file + " holds no private key (this side's identity)");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(path + ".key-store: " + file + ": " + e.getMessage());
        }
    }

    private static void checkTrust(KeyStore ks, Path file, String path) {
        try {
            int trusted = 0;
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isCertificateEntry(alias)) trusted++;
            }
            if (trusted == 0) throw new IllegalArgumentException(path + ".trust-store: " + file + " holds no trusted certificate (the CA that signs the peers)");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(path + ".trust-store: " + file + ": " + e.getMessage());
        }
    }

    private static void valid(X509Certificate cert, String alias, Path file, String key) {
        try {
            cert.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new IllegalArgumentException(key + ": the certificate of '" + alias + "' in " + file + " expired on " + cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new IllegalArgumentException(key + ": the certificate of '" + alias + "' in " + file + " is not valid before " + cert.getNotBefore().toInstant());
        }
    }
}
