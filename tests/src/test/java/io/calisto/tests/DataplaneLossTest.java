package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.remote.RemoteApp;
import io.calisto.examples.dns.DnsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataplane dies under its apps ({@code kill -9} of {@code calisto serve}, embedded media driver and all) while
 * both take packets: an app on the library API in this JVM and the example app ({@link DnsServer}) in a JVM of its
 * own. Neither may crash or hang: each logs one line, stops its core-actors and closes its Aeron client; the library
 * app's {@link RemoteApp#terminated()} fails with a {@link RemoteApp.DataplaneLostException} naming the dataplane, and
 * the example process exits 3 with no {@code hs_err} file. This JVM's app notices through Pekko's watch of its session
 * (the watch failure detector); the example's through its Aeron client (its driver timeout shortened, the watch
 * slowed), where the buffers must stay mapped ({@code calisto.aeron.close-linger}) under a core-actor inside a poll.
 */
class DataplaneLossTest {
    /** Generous: the watch needs about 1.5 s, the Aeron path driver-timeout (3 s here) + close-linger (5 s). */
    static final long WAIT_SECONDS = 60;

    @TempDir Path dir;

    @Test
    void appsWhoseDataplaneIsKilledStopServingSayWhyOnceAndExitWithoutACrash() throws Exception {
        Path conf = dir.resolve("serve.conf");
        // two pool cores, one per app; flows spread over ports 7 and 8, one port per app
        Files.writeString(conf, "calisto.cores.pool = [0, 1]\ncalisto.synthetic.dst-ports = 2\n");
        Path zone = Path.of("..", "examples", "example.zone").toAbsolutePath().normalize();
        assertTrue(Files.isReadable(zone), zone + " (the example's zone file)");
        Process dns = null;
        ActorSystem<Void> system = null;
        try (ServeProcess s = ServeProcess.start("--rate", "5000", "--flows", "64", "--bind", "127.0.0.1:0", "--config", conf.toString())) {
            String dataplane = "pekko://calisto@" + s.endpoint();

            // the example app in a JVM of its own, serving port 7 (the synthetic packets are no DNS: it counts them as formerr
            // or drops them, what matters is that its core-actor polls); it hears of the loss from its Aeron client first
            dns = new ProcessBuilder(javaCommand(List.of("-Dcalisto.aeron.driver-timeout=3s",
                    "-Dpekko.remote.watch-failure-detector.acceptable-heartbeat-pause=120s"),
                DnsServer.class.getName(), "--dataplane", dataplane, "--zone", zone.toString(), "--port", "7", "--guaranteed", "1", "--burstable", "1"))
                .directory(dir.toFile()).redirectErrorStream(true).start();
            StringBuffer dnsOut = drain(dns);
            awaitLine(dns, dnsOut, "dns ready: zone example.com.");

            // the library API in this JVM, serving port 8
            system = ActorSystem.create(Behaviors.empty(), "lossy-app", RemoteApp.remoteConfig(ConfigFactory.load()));
            AtomicLong handled = new AtomicLong();
            RemoteApp app = RemoteApp.connect(system, dataplane, new AppSpec("lossy", MatchRule.parse("dst-port=8"), core -> ctx -> handled.incrementAndGet()),
                1, 1, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (handled.get() < 1000 && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(handled.get() >= 1000, "packets reach this JVM's app before the kill: " + handled.get());
            assertTrue(app.terminated().toCompletableFuture().isDone() == false, "serving");

            s.process.destroyForcibly(); // SIGKILL: nothing of serve runs any more, its media driver included
            assertTrue(s.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, s.process.exitValue(), "killed by SIGKILL");
            long killed = System.nanoTime();

            // the library: terminated() fails with the loss, naming the dataplane; the core-actors are gone; calls say why
            ExecutionException lost = assertThrows(ExecutionException.class, () -> app.terminated().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(RemoteApp.DataplaneLostException.class, lost.getCause(), lost.toString());
            System.out.println("library app terminated " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms after kill -9");
            String line = "the dataplane at " + dataplane + " is unreachable (Pekko's watch failure detector took it for dead)";
            assertEquals(line, lost.getCause().getMessage());
            assertEquals(line, app.evicted().toCompletableFuture().get(1, TimeUnit.SECONDS));
            assertEquals(Set.of(), app.runtime().coreActors(), "its core-actors stopped");
            IllegalStateException call = assertThrows(IllegalStateException.class, () -> app.setPolicy("modulo"));
            assertEquals("app lossy lost its dataplane: " + line, call.getMessage());
            app.close(); // nothing to unregister: returns at once; the system is ours, and terminates
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);

            // the example app: one line from RemoteApp, its own line, exit 3, no crash
            assertTrue(dns.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the example app did not exit:\n" + dnsOut);
            System.out.println("example app exited " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms after kill -9 (at most)");
            String out = dnsOut.toString();
            System.out.println("example app's output:\n" + out);
            assertEquals(3, dns.exitValue(), out);
            String aeronLine = "the dataplane's media driver stopped answering (the app's Aeron client closed itself: DriverTimeoutException: ";
            assertEquals(1, out.lines().filter(l -> l.contains(aeronLine) && l.endsWith(": app dns stops serving")).count(), "one logged line:\n" + out);
            assertTrue(out.contains("dns: the dataplane is gone: " + aeronLine), out);
            assertTrue(out.contains("dns: stopped; noerror="), out);
            try (var files = Files.list(dir)) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(), "no JVM crashed");
            }
        } finally {
            if (dns != null) dns.destroyForcibly();
            if (system != null) system.terminate();
        }
    }

    /**
     * The Aeron side's danger: a handler inside a packet as the client closes itself. With the app's client lingering
     * ({@code calisto.aeron.close-linger}, 5 s) the handler reads its packet after the close and the JVM exits as
     * RemoteLossMain says (3); with {@code close-linger = 0} that read was a SIGSEGV.
     */
    @Test
    void aHandlerInsideAPacketWhenTheClientClosesItselfReadsItWithoutACrash() throws Exception {
        Path conf = dir.resolve("serve.conf");
        Files.writeString(conf, "calisto.cores.pool = [0, 1]\n");
        Process app = null;
        try (ServeProcess s = ServeProcess.start("--rate", "2000", "--flows", "16", "--bind", "127.0.0.1:0", "--config", conf.toString())) {
            app = new ProcessBuilder(javaCommand(List.of("-Dcalisto.aeron.driver-timeout=3s",
                    "-Dpekko.remote.watch-failure-detector.acceptable-heartbeat-pause=120s"),
                RemoteLossMain.class.getName(), "pekko://calisto@" + s.endpoint()))
                .directory(dir.toFile()).redirectErrorStream(true).start();
            StringBuffer out = drain(app);
            awaitLine(app, out, "in handler");
            s.process.destroyForcibly();
            assertTrue(s.process.waitFor(30, TimeUnit.SECONDS));
            assertTrue(app.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the app did not exit:\n" + out);
            String text = out.toString();
            System.out.println("RemoteLossMain's output:\n" + text);
            assertEquals(3, app.exitValue(), text);
            assertTrue(text.contains("handler read its packet after the client closed: true"), text);
            assertTrue(text.contains("terminated: DataplaneLostException: the dataplane's media driver stopped answering (the app's Aeron client "
                + "closed itself: DriverTimeoutException: "), text);
            try (var files = Files.list(dir)) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(), "no JVM crashed:\n" + text);
            }
        } finally {
            if (app != null) app.destroyForcibly();
        }
    }

    private static List<String> javaCommand(List<String> jvmOptions, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
            "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
            "java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static StringBuffer drain(Process p) {
        StringBuffer into = new StringBuffer();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) into.append(line).append('\n');
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        return into;
    }

    private static void awaitLine(Process p, StringBuffer out, String start) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (out.toString().lines().anyMatch(l -> l.startsWith(start))) return;
            if (!p.isAlive()) break;
            Thread.sleep(20);
        }
        throw new AssertionError("no line starting '" + start + "':\n" + out);
    }
}
