package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.control.soak.AppAccount;
import io.calisto.control.soak.Soak;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code soak --faults}: beside the soak's two apps, an app in a second JVM killed with kill -9, one in a third JVM
 * stopped with SIGSTOP for 5 s and resumed, a handler that throws on every 100th packet and one that sleeps 100 ms on
 * every 100th. Every packet of every app is accounted for by reason, no flow is reordered, the kill is noticed, every
 * throw is counted, and the stalled app's losses are its own back pressure.
 */
class FaultSoakTest {
    static final int POOL = 8;

    @Test
    void everyPacketOfEveryAppIsAccountedWhileAppsAreKilledStoppedThrowAndStall() throws Exception {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Soak.Result> results = Soak.run(EndToEndTest.config(Map.of()), List.of("modulo", "affinity"),
            new Soak.Options(3, 2, 20_000, true, true), line -> {
                lines.add(line);
                System.out.println(line);
            });
        String all = String.join("\n", lines);
        assertEquals(2, results.size());
        for (Soak.Result r : results) {
            String p = r.policy(), ctx = r.line() + "\n" + all;
            assertEquals(0, r.unaccounted(), ctx);
            assertEquals(0, r.reordered(), ctx);
            assertEquals(0, r.overlapped(), ctx);
            assertNull(r.failure(), ctx);
            assertEquals(List.of("good", "good", "killed", "stopped", "throwing", "stalling"), r.apps().stream().map(AppAccount::role).toList(), ctx);
            long afterLeaving = 0, sent = 0, delivered = 0, dropped = 0;
            for (AppAccount a : r.apps()) {
                assertTrue(a.accounted(), a.line(p));
                assertEquals(a.sent(), a.delivered() + a.dropped() + a.afterLeaving(), a.line(p));
                assertTrue(a.sent() > 10_000, a.line(p));
                assertTrue(all.contains(a.line(p)), "printed: " + a.line(p));
                afterLeaving += a.afterLeaving();
                sent += a.sent();
                delivered += a.delivered();
                dropped += a.dropped();
            }
            // the apps' accounts add up to the dataplane's: what the departed apps were sent after they left is no-app
            assertEquals(r.received(), sent, ctx);
            assertEquals(r.delivered(), delivered, ctx);
            assertEquals(r.dropped(), dropped + afterLeaving, ctx);

            for (AppAccount good : r.apps().subList(0, 2)) {
                // the faulty apps' trouble stays theirs: a good app may only lose packets to its own full stream
                assertTrue(Set.of("backpressure").containsAll(good.drops().keySet()), good.line(p));
                assertEquals(false, good.left(), good.line(p));
            }

            AppAccount killed = r.apps().get(2);
            assertTrue(killed.left(), "the kill -9'd app is evicted: " + killed.line(p));
            assertTrue(killed.note().matches("kill -9 at [0-9.]+ s, evicted [0-9.]+ s later \\(failure detector\\).*"), killed.line(p));
            assertTrue(killed.drops().getOrDefault("app-gone", 0L) > 0, "what it never consumed is app-gone: " + killed.line(p));
            assertTrue(killed.afterLeaving() > 0, "after it left its packets match no app: " + killed.line(p));
            assertTrue(killed.delivered() > 0, "it served before it was killed: " + killed.line(p));

            AppAccount stopped = r.apps().get(3);
            assertTrue(stopped.left()
                    ? stopped.note().matches("SIGSTOP at [0-9.]+ s, evicted [0-9.]+ s later for missed heartbeats, SIGCONT at [0-9.]+ s .*")
                    : stopped.note().startsWith("SIGSTOP at ") && stopped.note().contains("survived (still registered after SIGCONT)"),
                "which of the two happened is said: " + stopped.line(p));

            AppAccount throwing = r.apps().get(4);
            // each core-actor throws on its own every 100th packet: between delivered/100 - cores and delivered/100 throws
            assertTrue(throwing.faults() > 0 && throwing.faults() <= throwing.delivered() / 100
                && throwing.faults() >= throwing.delivered() / 100 - POOL, throwing.line(p));
            assertEquals(throwing.faults(), throwing.handlerErrors(), "every throw is counted as a handler error: " + throwing.line(p));
            assertTrue(throwing.line(p).contains(" handler-errors=" + throwing.faults() + " "), throwing.line(p));

            AppAccount stalling = r.apps().get(5);
            assertTrue(stalling.faults() > 0, stalling.line(p));
            assertEquals(Set.of("backpressure"), stalling.drops().keySet(), "its losses are its own back pressure: " + stalling.line(p));
            assertTrue(stalling.drops().get("backpressure") > stalling.sent() / 4, "it needs far more than its 2 cores: " + stalling.line(p));
        }
        assertTrue(lines.get(1).startsWith("faults: 4 more apps on dst ports 7002..7005"), lines.get(1));
    }

    @Test
    void faultsIsDocumentedInTheHelp() {
        CliTest.Result r = CliTest.cli("soak", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--faults"), r.out());
        assertTrue(r.out().contains("kill -9"), r.out());
    }
}
