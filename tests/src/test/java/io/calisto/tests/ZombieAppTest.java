package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.calisto.aeron.DropReason;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a remote app stopped (SIGSTOP) until the dataplane evicts it for missed heartbeats, then resumed
 * (SIGCONT), handles none of the packets the dataplane counted as app-gone at the eviction (its slots are marked
 * retired), and learns that it was evicted although Artery quarantined it (the Evicted notice cannot arrive).
 */
class ZombieAppTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void anAppEvictedWhileStoppedHandlesNothingCountedAppGoneAndKnowsItWasEvicted() throws Exception {
        Config c = RemoteManagementTest.config(Map.of(
            "calisto.synthetic.rate", 20_000,
            "calisto.synthetic.flows", 200,
            "calisto.cores.pool", List.of(0, 1),
            "calisto.io.idle-strategy", "backoff"));
        Process remote = null;
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            remote = RemoteManagementTest.java(ZombieAppMain.class, dp.controlSystem().address().toString());
            RemoteManagementTest.Lines lines = new RemoteManagementTest.Lines(remote);
            String registered = lines.next();
            assertTrue(registered.startsWith("registered "), "the remote app did not register:\n" + lines);
            AppHandle h = dp.apps().getFirst();
            dp.startRx();
            await(() -> h.deliveredTotal() >= 2_000, "packets handled in the other JVM", lines);

            signal(remote, "STOP");
            await(() -> !dp.apps().contains(h), "the stopped app evicted", lines);
            // the eviction is over (the app is unlisted after its app-gone count): what the dataplane says it was
            // handed, and what it counted app-gone, while the app was still stopped
            long delivered = h.deliveredTotal(), dispatched = 0, errors = 0;
            for (int core : new int[] {0, 1}) {
                dispatched += h.dispatch().dispatched(core);
                errors += h.dispatch().appErrors(core);
            }
            long gone = dispatched - delivered - errors;
            signal(remote, "CONT");

            String terminated;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!(terminated = lines.next()).startsWith("terminated ")) {
                assertTrue(terminated.startsWith("handled "), terminated);
                if (System.nanoTime() > deadline) throw new AssertionError("the resumed app did not stop serving:\n" + lines);
            }
            String[] f = terminated.split(" ", 3);
            long handled = Long.parseLong(f[1]);
            System.out.println("delivered " + delivered + " app-gone " + gone + " handled after SIGCONT " + handled + "; " + terminated);
            assertTrue(gone > 0, "packets were queued for the stopped app when it was evicted: dispatched " + dispatched + " delivered " + delivered);
            assertTrue(dp.kernel().dropped(DropReason.APP_GONE) >= gone, "the dataplane counted them app-gone");
            assertEquals(delivered, handled, "the handler saw exactly what the dataplane counted delivered, none of the "
                + gone + " packets counted app-gone:\n" + lines);
            assertEquals(delivered, h.deliveredTotal(), "the slots' delivered counts are frozen at the eviction");
            // which witness speaks first varies: Artery's quarantine notice, or this app's own failure detector (stopped as
            // long) while the dataplane has marked its slots retired; either way an eviction, never a lost dataplane
            String why = "the dataplane at " + dp.controlSystem().address() + " (quarantined this app's actor system|retired this app's core"
                + " slots): it took this app for dead and evicted it \\(its Evicted notice cannot arrive\\)";
            assertTrue(f[2].matches("io\\.calisto\\.core\\.remote\\.RemoteApp\\$EvictedException: " + why), f[2] + "\n" + lines);
            assertEquals(1, lines.toString().lines().filter(l -> l.matches(".*RemoteApp - " + why + ": app zombie stops serving")).count(),
                "one line says so:\n" + lines);
        } finally {
            if (remote != null) {
                remote.destroyForcibly();
                remote.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier ok, String what, RemoteManagementTest.Lines lines) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what + "; the app printed:\n" + lines);
            Thread.sleep(5);
        }
    }

    private static void signal(Process p, String signal) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
        assertEquals(0, k.waitFor(), "kill -" + signal + ": " + new String(k.getInputStream().readAllBytes()));
    }
}
