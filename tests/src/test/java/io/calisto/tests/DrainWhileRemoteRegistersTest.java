package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import io.aeron.Subscription;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.control.AppStats;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.AppSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * Drain-and-stop while an application in another JVM registers: neither waits for the other forever. The local
 * app's handler holds its first packet, so drainAndStop is still waiting for that packet when the remote app's
 * registration reaches the event-pump thread; the handler lets go only after the request is on the control stream.
 * (Before the fix drainAndStop held the Dataplane's lock while waiting, the pump blocked on that lock inside
 * prepareRemote while holding its own, and drainAndStop's final pump() then waited for the pump's lock: a deadlock.)
 */
class DrainWhileRemoteRegistersTest {
    @Test
    void drainAndStopFinishesWhileARemoteAppRegisters() throws Exception {
        Config c = EndToEndTest.config(Map.of(
            "calisto.synthetic.rate", 20_000,
            "calisto.synthetic.flows", 200,
            "calisto.cores.pool", List.of(0, 1, 2),
            "calisto.io.idle-strategy", "backoff"));
        ActorSystem<Void> local = ActorSystem.create(Behaviors.empty(), "drain-apps", c);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Process remote = null;
        Dataplane dp = Dataplane.start(c, Ports.create(c));
        boolean stuck = false;
        try {
            dp.register(local, new AppSpec("slow", MatchRule.parse("dst-port=7"), core -> ctx -> {
                if (held.getCount() > 0) {
                    held.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }), 1, 1);
            Subscription requests = dp.aeron().addSubscription(dp.streams().channel(), Streams.CONTROL_REQUESTS);
            dp.startRx();
            assertTrue(held.await(30, TimeUnit.SECONDS), "the slow app got its first packet");

            // drainAndStop now waits for the held packet
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread drain = Thread.ofPlatform().daemon().name("drain-and-stop").start(() -> {
                try {
                    dp.drainAndStop(Duration.ofSeconds(60));
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            Thread.sleep(300);
            assertTrue(drain.isAlive(), "drainAndStop waits for the held packet");

            // a remote app registers meanwhile; wait until its request is on the control stream, give the pump time to take it
            remote = startRemoteEcho(dp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int[] seen = {0};
            while (seen[0] == 0) {
                if (System.nanoTime() > deadline) fail("the remote app sent no registration within 30 s");
                requests.poll((b, o, l, h) -> seen[0]++, 16);
                Thread.sleep(1);
            }
            Thread.sleep(500);
            release.countDown();

            drain.join(Duration.ofSeconds(30));
            stuck = drain.isAlive();
            if (stuck) {
                StringBuilder dump = new StringBuilder();
                for (var e : Thread.getAllStackTraces().entrySet()) {
                    String name = e.getKey().getName();
                    if (name.equals("drain-and-stop") || name.equals("calisto-events")) {
                        dump.append(name).append(' ').append(e.getKey().getState()).append('\n');
                        for (StackTraceElement f : e.getValue()) dump.append("    at ").append(f).append('\n');
                    }
                }
                fail("drainAndStop did not return within 30 s while a remote app registered (deadlock?):\n" + dump);
            }
            if (failed.get() != null) throw new AssertionError("drainAndStop failed", failed.get());

            // the registration went through as well
            BufferedReader out = new BufferedReader(new InputStreamReader(remote.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("registered")) { /* skip the other JVM's log lines */ }
            assertTrue(line != null, "the remote app was registered");
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (dp.stats().stream().map(AppStats::app).noneMatch("echo"::equals)) {
                if (System.nanoTime() > until) fail("the remote app never became active: " + dp.stats());
                Thread.sleep(10);
            }
            RunSummary s = RunSummary.of(dp);
            assertEquals(0, s.unaccounted(), s.toString());
        } finally {
            release.countDown();
            if (remote != null) remote.destroyForcibly();
            // a deadlocked dataplane cannot be closed (close would wait for the same lock): leave it to the JVM's exit
            if (!stuck) dp.close();
            local.terminate();
        }
    }

    static Process startRemoteEcho(Dataplane dp) throws Exception {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
            "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
            "java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-cp", System.getProperty("java.class.path"), RemoteEchoMain.class.getName(), dp.aeron().context().aeronDirectoryName());
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
