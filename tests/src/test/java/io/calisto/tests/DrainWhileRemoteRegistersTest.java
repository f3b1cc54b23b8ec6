package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import io.calisto.aeron.MatchRule;
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
 * app's handler holds its first packet, so drainAndStop is still waiting for that packet while the remote app
 * registers over Pekko remoting and is activated; the handler lets go only once the remote app is active.
 * (Once, drainAndStop held the Dataplane's lock while waiting and the thread registering remote apps blocked on it:
 * a deadlock. Registration now runs on the remote-apps actor, and no Dataplane method holds a lock while waiting.)
 */
class DrainWhileRemoteRegistersTest {
    @Test
    void drainAndStopFinishesWhileARemoteAppRegisters() throws Exception {
        Config c = RemoteManagementTest.config(Map.of(
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

            // a remote app registers meanwhile, and is activated while drainAndStop still waits
            remote = RemoteManagementTest.java(RemoteEchoMain.class, dp.controlSystem().address().toString());
            BufferedReader out = new BufferedReader(new InputStreamReader(remote.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("registered")) seen.append(line).append('\n');
            assertTrue(line != null, "the remote app was not registered:\n" + seen);
            assertTrue(drain.isAlive(), "drainAndStop still waits for the held packet");
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

}
