package io.calisto.control.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fault soak's per-app account: what it flags, what it lets through, and the port tally it starts from. */
class FaultAccountTest {
    static AppAccount app(String role, long sent, long delivered, Map<String, Long> drops, boolean left, long afterLeaving) {
        return new AppAccount("a-" + role, role, sent, delivered, drops, left, afterLeaving, role.equals("throwing") ? 3 : 0,
            role.equals("throwing") ? 3 : 0, 0, 0, "");
    }

    @Test
    void balancedAccountsRaiseNothingAndAGoodAppsOwnBackPressureIsOnlyANote() {
        List<AppAccount> apps = List.of(
            app("good", 100, 90, Map.of("backpressure", 10L), false, 0),
            app("killed", 100, 20, Map.of("backpressure", 30L, "app-gone", 5L), true, 45),
            app("throwing", 100, 100, Map.of(), false, 0));
        assertEquals(List.of(), Soak.problems(apps, 45, 0, true));
        assertEquals(List.of("good app a-good dropped 10 as its own back pressure (its stream was full; not counted as a failure:"
            + " see README 'soak --faults')"), Soak.notes(apps, true));
        assertEquals(List.of(), Soak.notes(apps, false));
    }

    @Test
    void everyBrokenPromiseIsNamed() {
        List<AppAccount> apps = List.of(
            app("good", 100, 89, Map.of("backpressure", 10L), false, 0), // one packet nowhere
            app("good", 100, 95, Map.of("no-core", 5L), false, 0),       // a drop that is not its own back pressure
            app("killed", 100, 20, Map.of("app-gone", 5L), true, 75),
            new AppAccount("t", "throwing", 100, 100, Map.of(), false, 0, 4, 3, 0, 0, ""));
        assertEquals(List.of(
            "app a-good: sent 100 != delivered 89 + dropped 10 (it never left)",
            "good app a-good dropped 5 for other reasons than its own back pressure {no-core=5}",
            "app t threw 4 times but the dataplane counted 3 handler errors",
            "no-app 70 != 75 sent to apps after they left",
            "2 packets to a port no soak app matches"), Soak.problems(apps, 70, 2, true));
    }

    @Test
    void theTallyCountsEachFrameUnderItsDestinationPort() {
        // IPv4 and IPv6, UDP and TCP, over 3 ports from 7000: each flow's port is 7000 + flow % 3
        SyntheticConfig cfg = SyntheticConfig.withOverrides(Map.of("flows", 30, "rate", 0, "tcp-fraction", 0.5, "ipv6-fraction", 0.5,
            "dst-port", 7000, "dst-ports", 3, "popularity", "uniform"));
        SyntheticPort synthetic = new SyntheticPort(cfg);
        PortTally tally = new PortTally(synthetic, 7000, 3);
        RxBatch batch = new RxBatch(32);
        long[] expected = new long[3];
        for (int burst = 0; burst < 100; burst++) {
            int n = tally.receive(batch, System.nanoTime());
            for (int i = 0; i < n; i++) {
                // the flow from the source address (10.128.0.0 + flow, or fd00:0:0:1::flow+1), its port from the generator's rule
                var f = batch.frame(i);
                boolean v6 = (f.getShort(12, java.nio.ByteOrder.BIG_ENDIAN) & 0xffff) == 0x86dd;
                int flow = v6 ? (int) f.getLong(30, java.nio.ByteOrder.BIG_ENDIAN) - 1 : f.getInt(26, java.nio.ByteOrder.BIG_ENDIAN) - 0x0a800000;
                expected[synthetic.dstPort(flow) - 7000]++;
            }
        }
        assertEquals(100 * 32, expected[0] + expected[1] + expected[2]);
        for (int p = 0; p < 3; p++) assertEquals(expected[p], tally.sent(p), "port " + (7000 + p));
        assertEquals(0, tally.sent(3), "no frame to another port");
        for (int p = 0; p < 3; p++) assertEquals(true, expected[p] > 500, "every port had frames: " + expected[p]);
    }
}
