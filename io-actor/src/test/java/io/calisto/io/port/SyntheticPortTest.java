package io.calisto.io.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.parse.PacketParser;
import io.calisto.io.parse.ParsedPacket;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticPortTest {
    static SyntheticConfig cfg(Map<String, Object> overrides) { return SyntheticConfig.withOverrides(overrides); }

    @Test
    void framesParseToTheConfiguredDestinationFromDistinctFlows() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("flows", 700_000, "rate", 0, "tcp-fraction", 0.5, "ipv6-fraction", 0.5)));
        RxBatch batch = new RxBatch(64);
        ParsedPacket p = new ParsedPacket();
        int v6 = 0, tcp = 0, total = 0;
        for (int round = 0; round < 100; round++) {
            int n = port.receive(batch, 0);
            assertEquals(64, n);
            for (int i = 0; i < n; i++) {
                assertNull(PacketParser.parse(batch.frame(i), batch.length(i), p));
                assertEquals(7, p.dstPort);
                assertEquals(0x020000000001L, p.dstMac);
                assertTrue(p.hasPorts);
                if (p.ipVersion == 6) v6++;
                else assertEquals(0x0a000001, p.dstIpv4());
                if (p.protocol == 6) tcp++;
                total++;
            }
        }
        assertEquals(0.5, v6 / (double) total, 0.05);
        assertEquals(0.5, tcp / (double) total, 0.05);
    }

    @Test
    void sevenHundredThousandFlowsAreSevenHundredThousandDistinctTuples() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("flows", 700_000, "ipv6-fraction", 0.3)));
        RxBatch batch = new RxBatch(1);
        ParsedPacket p = new ParsedPacket();
        Set<String> tuples = new HashSet<>();
        for (int flow = 0; flow < 700_000; flow++) {
            int len = port.write(batch.ownedFrame(0), flow, flow);
            assertNull(PacketParser.parse(batch.frame(0), len, p));
            tuples.add(p.protocol + "|" + p.srcIpHi + "|" + p.srcIpLo + "|" + p.srcPort);
        }
        assertEquals(700_000, tuples.size());
    }

    @Test
    void poissonInterArrivalsHaveTheConfiguredMean() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("rate", 100_000, "arrival", "poisson", "seed", 7)));
        RxBatch batch = new RxBatch(256);
        long now = 0, prev = -1, count = 0;
        double sum = 0, sumSq = 0;
        while (count < 200_000) {
            now += 1_000_000; // the loop comes back every ms: the backlog is emitted with its scheduled times
            int n;
            while ((n = port.receive(batch, now)) > 0) {
                for (int i = 0; i < n; i++) {
                    long t = batch.rxNanos(i);
                    if (prev >= 0) {
                        double gap = t - prev;
                        sum += gap;
                        sumSq += gap * gap;
                        count++;
                    }
                    prev = t;
                }
            }
        }
        double mean = sum / count, var = sumSq / count - mean * mean;
        assertEquals(10_000, mean, 10_000 * 0.02);
        // exponential: standard deviation equals the mean
        assertEquals(10_000, Math.sqrt(var), 10_000 * 0.03);
    }

    @Test
    void openLoopEmitsTheBacklogWithScheduledTimesAndStopsAtMaxPackets() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("rate", 1_000_000, "arrival", "constant", "max-packets", 100)));
        RxBatch batch = new RxBatch(32);
        assertEquals(1, port.receive(batch, 0)); // the schedule starts now: one packet due
        assertEquals(0, batch.rxNanos(0));
        // the loop stalls for 50 us: 50 packets are due; they come out in bursts, stamped 1 us apart
        assertEquals(32, port.receive(batch, 50_000));
        assertEquals(1_000, batch.rxNanos(0));
        assertEquals(32_000, batch.rxNanos(31));
        assertEquals(18, port.receive(batch, 50_000));
        assertEquals(50_000, batch.rxNanos(17));
        assertEquals(0, port.receive(batch, 50_000));
        long total = 51;
        while (!port.exhausted()) total += port.receive(batch, 10_000_000);
        assertEquals(100, total);
        assertEquals(100, port.generated());
        assertEquals(0, port.receive(batch, 20_000_000));
    }

    @Test
    void badSettingsNameTheKey() {
        assertEquals("calisto.synthetic.rate must be >= 0, was -5",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("rate", -5))).getMessage());
        assertEquals("calisto.synthetic.arrival must be constant or poisson, was 'bursty'",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("arrival", "bursty"))).getMessage());
        assertEquals("calisto.synthetic.packet-bytes must be in 64..2048, was 20",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("packet-bytes", 20))).getMessage());
        assertEquals("calisto.synthetic.dst-ip: bad IP address 'example.com'",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("dst-ip", "example.com"))).getMessage());
    }

    @Test
    void zipfPopularityFollowsOneOverKToTheS() {
        SplittableRandomHolder h = new SplittableRandomHolder();
        FlowPopularity zipf = FlowPopularity.zipf(1000, 1.0);
        int[] hits = new int[1000];
        for (int i = 0; i < 1_000_000; i++) hits[zipf.next(h.random)]++;
        double harmonic = 0;
        for (int k = 1; k <= 1000; k++) harmonic += 1.0 / k;
        // flow 0 gets 1/H(1000) = 13.4% of packets, flow 1 half of that, flow 9 a tenth
        assertEquals(1_000_000 / harmonic, hits[0], 1_000_000 / harmonic * 0.02);
        assertEquals(hits[0] / 2.0, hits[1], hits[0] * 0.02);
        assertEquals(hits[0] / 10.0, hits[9], hits[0] * 0.01);
        assertEquals("calisto.synthetic.popularity must be uniform or zipf, was 'pareto'",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("popularity", "pareto"))).getMessage());
    }

    static final class SplittableRandomHolder {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    }
}
