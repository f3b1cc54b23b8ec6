package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.demo.EchoApp;
import io.calisto.core.remote.RemoteApp;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management endpoint's security (README "Security"): loopback by default, a non-loopback bind only with
 * Artery tls-tcp and mutual authentication, and a peer without a certificate the dataplane trusts can neither send a
 * command ({@code ctl}) nor register ({@link RemoteApp}). Certificates are made here with keytool, as README shows:
 * a CA signs serve's, a good client's and a good app's; a rogue CA signs the rogue's (which trusts our CA, so only
 * serve's check can turn it away).
 */
class ServeTlsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PW = "calisto-test-pw";

    @TempDir static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        ca("ca");
        ca("rogue-ca");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust.p12", "-storepass", PW);
        identity("serve", "ca");
        identity("client", "ca");
        identity("app", "ca");
        identity("rogue", "rogue-ca");

        // serve's password comes from the environment (CALISTO_TLS_PASSWORD), as README recommends
        write("serve.conf", tls("calisto.serve.tls", "serve", "${?CALISTO_TLS_PASSWORD}"));
        // serve's own file with the password as text: ctl falls back to calisto.serve.tls when calisto.ctl.tls is off
        write("serve-literal.conf", tls("calisto.serve.tls", "serve", "\"" + PW + "\""));
        write("client.conf", tls("calisto.ctl.tls", "client", "\"" + PW + "\""));
        write("rogue.conf", tls("calisto.ctl.tls", "rogue", "\"" + PW + "\""));
        write("app.conf", tls("calisto.app.tls", "app", "\"" + PW + "\""));
        write("rogue-app.conf", tls("calisto.app.tls", "rogue", "\"" + PW + "\""));
        write("wrong-password.conf", tls("calisto.serve.tls", "serve", "\"not-the-password\""));
        write("no-trust-store.conf", tls("calisto.serve.tls", "serve", "\"" + PW + "\"").replace("trust.p12", "missing.p12"));
    }

    private static String tls(String block, String identity, String password) {
        return block + " {\n  enabled = on\n  key-store = \"" + dir.resolve(identity + ".p12") + "\"\n  key-store-password = " + password
            + "\n  trust-store = \"" + dir.resolve("trust.p12") + "\"\n  trust-store-password = " + password + "\n}\n";
    }

    private static void ca(String name) throws Exception {
        keytool("-genkeypair", "-alias", name, "-dname", "CN=calisto " + name, "-ext", "bc:c", "-keyalg", "EC", "-groupname", "secp256r1",
            "-validity", "3650", "-keystore", name + ".p12", "-storepass", PW);
        keytool("-exportcert", "-alias", name, "-rfc", "-file", name + ".pem", "-keystore", name + ".p12", "-storepass", PW);
    }

    private static void identity(String name, String ca) throws Exception {
        keytool("-genkeypair", "-alias", name, "-dname", "CN=calisto " + name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "825",
            "-keystore", name + ".p12", "-storepass", PW);
        keytool("-certreq", "-alias", name, "-file", name + ".csr", "-keystore", name + ".p12", "-storepass", PW);
        keytool("-gencert", "-alias", ca, "-infile", name + ".csr", "-outfile", name + ".pem", "-rfc", "-validity", "825",
            "-ext", "eku=serverAuth,clientAuth", "-keystore", ca + ".p12", "-storepass", PW);
        keytool("-importcert", "-noprompt", "-alias", ca, "-file", ca + ".pem", "-keystore", name + ".p12", "-storepass", PW);
        keytool("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", name + ".p12", "-storepass", PW);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool hangs: " + cmd);
        assertEquals(0, p.exitValue(), "keytool " + String.join(" ", args) + ":\n" + out);
    }

    private static void write(String name, String text) throws IOException { Files.writeString(dir.resolve(name), text); }

    private static String conf(String name) { return dir.resolve(name).toString(); }

    private static ServeCtlTest.Result ctl(ServeProcess s, String conf, String... args) {
        List<String> all = new ArrayList<>(List.of("ctl", "--connect", s.endpoint()));
        if (conf != null) all.addAll(List.of("--config", conf(conf)));
        all.addAll(List.of(args));
        return ServeCtlTest.cli(all.toArray(String[]::new));
    }

    private static List<String> appNames(ServeCtlTest.Result apps) throws Exception {
        assertEquals(0, apps.code(), apps.out() + apps.err());
        List<String> names = new ArrayList<>();
        for (JsonNode a : JSON.readTree(apps.out())) names.add(a.get("name").asText());
        return names;
    }

    private static void oneLine(ServeCtlTest.Result r, int code, String contains) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line expected: " + r.err());
        assertTrue(r.err().startsWith("calisto: ") && r.err().contains(contains), r.err());
    }

    @Test
    void nonLoopbackBindWithoutTlsIsRefusedInOneLine() {
        // a documentation address: the refusal comes before anything binds
        ServeCtlTest.Result r = ServeCtlTest.cli("serve", "--bind", "192.0.2.77:0", "--aeron-dir", "/dev/shm/calisto-tls-refused");
        oneLine(r, 2, "tls-tcp");
        assertTrue(r.err().contains("calisto.serve.tls.enabled"), r.err());
        assertTrue(Files.notExists(Path.of("/dev/shm/calisto-tls-refused")), "nothing may start");
    }

    @Test
    void aWrongTlsSettingIsOneLineNamingItsKeyBeforeAnythingStarts() {
        ServeCtlTest.Result wrong = ServeCtlTest.cli("serve", "--config", conf("wrong-password.conf"), "--bind", "127.0.0.1:0",
            "--aeron-dir", "/dev/shm/calisto-tls-refused");
        oneLine(wrong, 2, "calisto.serve.tls.key-store-password does not open ");
        ServeCtlTest.Result missing = ServeCtlTest.cli("serve", "--config", conf("no-trust-store.conf"), "--bind", "127.0.0.1:0",
            "--aeron-dir", "/dev/shm/calisto-tls-refused");
        oneLine(missing, 2, "calisto.serve.tls.trust-store: no such file ");
        // serve.conf takes its password from CALISTO_TLS_PASSWORD, which this JVM does not have: "" does not open the store
        ServeCtlTest.Result unset = ServeCtlTest.cli("serve", "--config", conf("serve.conf"), "--bind", "127.0.0.1:0",
            "--aeron-dir", "/dev/shm/calisto-tls-refused");
        oneLine(unset, 2, "calisto.serve.tls.key-store-password does not open ");
        assertTrue(Files.notExists(Path.of("/dev/shm/calisto-tls-refused")), "nothing may start");
        // an app's settings are checked the same way
        Config bad = ConfigFactory.parseString("calisto.app.tls.trust-store-password = wrong")
            .withFallback(ConfigFactory.parseFile(dir.resolve("app.conf").toFile()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RemoteApp.remoteConfig(bad));
        assertTrue(e.getMessage().startsWith("calisto.app.tls.trust-store-password does not open "), e.getMessage());
    }

    @Test
    void onlyPeersWithATrustedCertificateCanCommandOrRegister() throws Exception {
        try (ServeProcess s = ServeProcess.start(Map.of("CALISTO_TLS_PASSWORD", PW), "--echo", "--rate", "500", "--flows", "50",
            "--bind", "127.0.0.1:0", "--config", conf("serve.conf"))) {
            assertTrue(s.out().contains("management transport tls-tcp (mutual authentication, TLSv1.3)"), s.out());

            // a client whose certificate our CA signed: commands work
            assertEquals(List.of("echo"), appNames(ctl(s, "client.conf", "apps", "--format", "json")));

            // a rogue certificate (another CA) is turned away during the handshake: ctl cannot connect, exit 2
            ServeCtlTest.Result rogue = ctl(s, "rogue.conf", "shutdown");
            oneLine(rogue, 2, "cannot reach the dataplane at " + s.endpoint());
            assertTrue(rogue.err().contains("TLS handshake failed"), rogue.err());
            // no TLS at all: plain Artery TCP gets no answer from a tls-tcp endpoint
            ServeCtlTest.Result plain = ctl(s, null, "unregister", "echo");
            oneLine(plain, 2, "cannot reach the dataplane at " + s.endpoint());
            assertTrue(plain.err().contains("calisto.ctl.tls"), plain.err());
            // and the dataplane is untouched
            assertTrue(s.process.isAlive(), s.err());
            assertEquals(List.of("echo"), appNames(ctl(s, "client.conf", "apps", "--format", "json")));

            String dataplane = "pekko://calisto@" + s.endpoint();
            AppSpec spec = new AppSpec("tls-app", MatchRule.parse("dst-port=9"), core -> new EchoApp(0));
            // an app with the rogue certificate cannot register: its Register never arrives, the call times out
            ActorSystem<Void> rogueApp = ActorSystem.create(Behaviors.empty(), "rogue-app", RemoteApp.remoteConfig(
                ConfigFactory.parseFile(dir.resolve("rogue-app.conf").toFile()).withFallback(ConfigFactory.load())));
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> RemoteApp.connect(rogueApp, dataplane, spec, 0, 1, Duration.ofSeconds(4)));
                assertTrue(e.getMessage().contains("no answer from the dataplane to register tls-app"), e.getMessage());
            } finally {
                // Artery's outbound streams to a peer that refused the handshake hold the termination up to coordinated
                // shutdown's 10 s phase timeout
                rogueApp.terminate();
                rogueApp.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            assertEquals(List.of("echo"), appNames(ctl(s, "client.conf", "apps", "--format", "json")));

            // the app with a certificate our CA signed registers, is listed, and unregisters
            ActorSystem<Void> goodApp = ActorSystem.create(Behaviors.empty(), "good-app", RemoteApp.remoteConfig(
                ConfigFactory.parseFile(dir.resolve("app.conf").toFile()).withFallback(ConfigFactory.load())));
            try (RemoteApp app = RemoteApp.connect(goodApp, dataplane, spec, 0, 1, Duration.ofSeconds(20))) {
                assertTrue(app.appId() >= 0);
                assertEquals(List.of("echo", "tls-app"), appNames(ctl(s, "client.conf", "apps", "--format", "json")).stream().sorted().toList());
            } finally {
                // RemoteApp.close() has stopped everything of the app's (bounded by calisto.app.close-timeout). The actor
                // system then terminates, except in an open defect inside Pekko's TLS remoting (docs/decisions.md 41: the
                // RemotingTerminator waits for an outbound TLSActor; 2 of 10 runs of this class at load 28-41). That is not
                // what this test checks (TLS admission), so the tree and threads are printed, not failed
                goodApp.terminate();
                try {
                    goodApp.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    StringBuilder threads = new StringBuilder("good-app's actor system did not terminate within 30 s after its RemoteApp closed; its actors:\n")
                        .append(goodApp.printTree()).append("\nthe JVM's threads:\n");
                    Thread.getAllStackTraces().forEach((t, st) -> {
                        threads.append(t).append(' ').append(t.getState()).append('\n');
                        for (StackTraceElement frame : st) threads.append("    at ").append(frame).append('\n');
                    });
                    System.err.println(threads);
                }
            }

            assertEquals(0, ctl(s, "client.conf", "shutdown").code());
            assertEquals(0, s.awaitExit(60), s.out() + s.err());
            System.out.println("serve's stderr with TLS (rogue peers refused):\n" + s.err());
        }
    }

    @Test
    void aNonLoopbackBindWithTlsStarts() throws Exception {
        Optional<InetAddress> address = NetworkInterface.networkInterfaces()
            .filter(i -> {
                try {
                    return i.isUp() && !i.isLoopback();
                } catch (java.net.SocketException e) {
                    return false;
                }
            })
            .flatMap(NetworkInterface::inetAddresses)
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
            .findFirst();
        Assumptions.assumeTrue(address.isPresent(), "this machine has no non-loopback IPv4 address: skipping the non-loopback TLS bind");
        String host = address.get().getHostAddress();
        try (ServeProcess s = ServeProcess.start("--echo", "--rate", "200", "--flows", "10", "--bind", host + ":0",
            "--config", conf("serve-literal.conf"))) {
            assertTrue(s.endpoint().startsWith(host + ":"), s.endpoint());
            // ctl with serve's own file: calisto.ctl.tls is off, so it uses calisto.serve.tls
            assertEquals(List.of("echo"), appNames(ctl(s, "serve-literal.conf", "apps", "--format", "json")));
            assertEquals(0, ctl(s, "client.conf", "shutdown").code());
            assertEquals(0, s.awaitExit(60), s.out() + s.err());
        }
    }
}
