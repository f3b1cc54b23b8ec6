package io.calisto.io.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.calisto.io.parse.PacketParser;
import io.calisto.io.parse.ParsedPacket;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
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

    @Test
    void ipv4HeaderChecksumsAreCorrectAndLengthsMatchTheFrame() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("flows", 5000, "rate", 0, "tcp-fraction", 0.5, "ipv6-fraction", 0.5, "packet-bytes", 200)));
        RxBatch batch = new RxBatch(256);
        int v4 = 0, v6 = 0;
        for (int round = 0; round < 20; round++) {
            int n = port.receive(batch, 0);
            for (int i = 0; i < n; i++) {
                UnsafeBuffer f = batch.frame(i);
                assertEquals(200, batch.length(i));
                int type = f.getShort(12, BE) & 0xffff;
                if (type == 0x0800) {
                    int sum = 0;
                    for (int w = 0; w < 20; w += 2) sum += f.getShort(14 + w, BE) & 0xffff;
                    while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
                    assertEquals(0xffff, sum, "IPv4 header checksum");
                    assertEquals(200 - 14, f.getShort(16, BE) & 0xffff, "IPv4 total length");
                    v4++;
                } else {
                    assertEquals(0x86dd, type);
                    assertEquals(200 - 14 - 40, f.getShort(18, BE) & 0xffff, "IPv6 payload length");
                    v6++;
                }
            }
        }
        assertEquals(20 * 256, v4 + v6);
        assertTrue(v4 > 1000 && v6 > 1000, v4 + " / " + v6);
    }

    @Test
    void rateZeroFillsEveryBurstStampedNowUpToMaxPacketsExactly() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("rate", 0, "max-packets", 1000)));
        RxBatch batch = new RxBatch(64);
        for (int i = 0; i < 15; i++) {
            assertEquals(64, port.receive(batch, 5_000 + i));
            assertEquals(5_000 + i, batch.rxNanos(0));
            assertEquals(5_000 + i, batch.rxNanos(63));
            assertFalse(port.exhausted());
        }
        assertEquals(40, port.receive(batch, 0));
        assertTrue(port.exhausted());
        assertEquals(0, port.receive(batch, 0));
        assertEquals(0, batch.count());
        assertEquals(1000, port.generated());
    }

    @Test
    void aConstantScheduleKeepsItsRateExactlyAtLargeClockValues() {
        // 3 Mpps: gaps of 333.33 ns. At a nanoTime of 4e15 a double has 0.5 ns steps; the schedule must not drift.
        long start = 4_000_000_000_000_000L;
        SyntheticPort port = new SyntheticPort(cfg(Map.of("rate", 3_000_000, "arrival", "constant")));
        RxBatch batch = new RxBatch(256);
        long emitted = 0, last = 0, prev = start - 1;
        long now = start;
        while (emitted < 3_000_001) {
            int n = port.receive(batch, now);
            for (int i = 0; i < n && emitted < 3_000_001; i++, emitted++) {
                last = batch.rxNanos(i);
                assertTrue(last - prev == 333 || last - prev == 334 || emitted == 0, "gap " + (last - prev));
                assertTrue(last <= now, "never stamped in the future");
                prev = last;
            }
            now += 100_000;
        }
        // packet 3,000,000 is due exactly one second after packet 0
        assertEquals(start + 1_000_000_000L, last, 1);
    }

    @Test
    void transmitCountsFramesAndBytes() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of()));
        TxBatch tx = new TxBatch(8);
        UnsafeBuffer src = new UnsafeBuffer(new byte[2048]);
        tx.add(src, 0, 60);
        tx.add(src, 0, 100);
        tx.add(src, 0, 1514);
        assertEquals(3, port.transmit(tx));
        assertEquals(3, port.transmit(tx));
        assertEquals(6, port.transmitted());
        assertEquals(2 * (60 + 100 + 1514), port.transmittedBytes());
        assertEquals(0, port.generated());
    }

    @Test
    void theSeedFixesTheTrafficAndFractionsOfOneAreExact() {
        RxBatch a = new RxBatch(128), b = new RxBatch(128);
        Map<String, Object> mixed = Map.of("rate", 0, "tcp-fraction", 0.4, "ipv6-fraction", 0.3, "seed", 99);
        new SyntheticPort(cfg(mixed)).receive(a, 0);
        new SyntheticPort(cfg(mixed)).receive(b, 0);
        for (int i = 0; i < 128; i++) assertArrayEquals(bytes(a, i), bytes(b, i), "frame " + i);
        new SyntheticPort(cfg(Map.of("rate", 0, "tcp-fraction", 0.4, "ipv6-fraction", 0.3, "seed", 100))).receive(b, 0);
        int same = 0;
        for (int i = 0; i < 128; i++) if (Arrays.equals(bytes(a, i), bytes(b, i))) same++;
        assertTrue(same < 5, same + " of 128 frames identical under another seed");

        SyntheticPort all = new SyntheticPort(cfg(Map.of("rate", 0, "tcp-fraction", 1.0, "ipv6-fraction", 1.0, "packet-bytes", 74)));
        all.receive(a, 0);
        ParsedPacket p = new ParsedPacket();
        for (int i = 0; i < 128; i++) {
            assertNull(PacketParser.parse(a.frame(i), a.length(i), p));
            assertEquals(6, p.ipVersion);
            assertEquals(6, p.protocol);
            assertEquals(0xfd00000000000001L, p.srcIpHi);
            assertTrue(p.srcIpLo >= 1 && p.srcIpLo <= 1000, "flow + 1: " + p.srcIpLo);
            assertEquals(0xfd00000000000000L, p.dstIpHi);
            assertEquals(1, p.dstIpLo);
            assertEquals(7, p.dstPort);
            assertTrue(p.srcPort >= 1024 && p.srcPort < 61024, "source port " + p.srcPort);
        }
        SyntheticPort none = new SyntheticPort(cfg(Map.of("rate", 0)));
        none.receive(a, 0);
        for (int i = 0; i < 128; i++) {
            assertNull(PacketParser.parse(a.frame(i), a.length(i), p));
            assertEquals(4, p.ipVersion);
            assertEquals(17, p.protocol);
            assertTrue(p.srcIpv4() >= 0x0a800000 && p.srcIpv4() < 0x0a800000 + 1000, Integer.toHexString(p.srcIpv4()));
        }
    }

    @Test
    void aFlowKeepsItsTupleFromPacketToPacket() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("flows", 3, "rate", 0, "tcp-fraction", 0.5, "ipv6-fraction", 0.5)));
        RxBatch batch = new RxBatch(300);
        port.receive(batch, 0);
        ParsedPacket p = new ParsedPacket();
        java.util.Map<Long, String> tupleBySrc = new java.util.HashMap<>();
        int[] hits = new int[3];
        for (int i = 0; i < 300; i++) {
            assertNull(PacketParser.parse(batch.frame(i), batch.length(i), p));
            long flow = p.ipVersion == 4 ? p.srcIpLo - 0x0a800000L : p.srcIpLo - 1;
            String tuple = p.ipVersion + "|" + p.protocol + "|" + p.srcPort;
            assertEquals(tupleBySrc.computeIfAbsent(flow, k -> tuple), tuple, "flow " + flow);
            hits[(int) flow]++;
        }
        assertEquals(3, tupleBySrc.size());
        for (int h : hits) assertTrue(h > 60, "uniform over 3 flows: " + Arrays.toString(hits));
    }

    @Test
    void everySettingIsValidatedWithItsKey() {
        String[][] cases = {
            {"flows", "0", "calisto.synthetic.flows must be in 1..16777216, was 0"},
            {"tcp-fraction", "1.5", "calisto.synthetic.tcp-fraction must be in 0..1, was 1.5"},
            {"ipv6-fraction", "-0.1", "calisto.synthetic.ipv6-fraction must be in 0..1, was -0.1"},
            {"max-packets", "-1", "calisto.synthetic.max-packets must be >= 0, was -1"},
            {"dst-port", "70000", "calisto.synthetic.dst-port must be in 0..65535, was 70000"},
            {"dst-ports", "0", "calisto.synthetic.dst-ports must be in 1..65529 (dst-port + dst-ports - 1 <= 65535), was 0"},
            {"packet-bytes", "4096", "calisto.synthetic.packet-bytes must be in 64..2048, was 4096"},
            {"dst-ipv6", "10.0.0.1", "calisto.synthetic.dst-ipv6: must be an IPv6 address"},
            {"dst-ip", "fd00::1", "calisto.synthetic.dst-ip: must be an IPv4 address"},
        };
        for (String[] c : cases) {
            Object value = c[1].matches("-?[0-9]+(\\.[0-9]+)?") ? (Object) Double.valueOf(c[1]) : c[1];
            if (value instanceof Double d && d == Math.rint(d) && !c[1].contains(".")) value = d.longValue();
            Object v = value;
            assertEquals(c[2], assertThrows(IllegalArgumentException.class, () -> cfg(Map.of(c[0], v))).getMessage(), c[0]);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("dst-mac", "02:00"))).getMessage()
            .startsWith("calisto.synthetic.dst-mac: "));
        assertEquals("calisto.synthetic.rate must be a whole number, was \"fast\"",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("rate", "fast"))).getMessage());
        assertEquals("calisto.synthetic.tcp-fraction must be a number, was \"half\"",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("tcp-fraction", "half"))).getMessage());
        assertEquals("calisto.synthetic.flows is missing",
            assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.from(ConfigFactory.empty())).getMessage());
        // IPv6/TCP headers take 74 bytes: shorter frames are refused only when such flows can occur
        assertEquals("calisto.synthetic.packet-bytes must be >= 74 when both tcp-fraction and ipv6-fraction are > 0, was 64",
            assertThrows(IllegalArgumentException.class, () -> cfg(Map.of("packet-bytes", 64, "tcp-fraction", 0.5, "ipv6-fraction", 0.1))).getMessage());
        assertEquals(64, cfg(Map.of("packet-bytes", 64, "tcp-fraction", 1.0)).packetBytes());
        assertEquals(64, cfg(Map.of("packet-bytes", 64, "ipv6-fraction", 1.0)).packetBytes());
    }

    @Test
    void dstPortsSpreadFlowsRoundRobinOverConsecutivePortsAndEachFlowKeepsItsPort() {
        SyntheticPort port = new SyntheticPort(cfg(Map.of("flows", 1000, "dst-port", 7000, "dst-ports", 3, "tcp-fraction", 0.5, "ipv6-fraction", 0.5)));
        RxBatch batch = new RxBatch(1);
        ParsedPacket p = new ParsedPacket();
        int[] perPort = new int[3];
        for (int flow = 0; flow < 1000; flow++) {
            int len = port.write(batch.ownedFrame(0), flow, flow);
            assertNull(PacketParser.parse(batch.frame(0), len, p));
            assertEquals(7000 + flow % 3, p.dstPort, "flow " + flow);
            perPort[p.dstPort - 7000]++;
        }
        assertArrayEquals(new int[] {334, 333, 333}, perPort);
    }

    @Test
    void theReferenceDefaultsAreValid() {
        SyntheticConfig c = SyntheticConfig.from(ConfigFactory.defaultReference().getConfig("calisto.synthetic"));
        assertEquals(1000, c.flows());
        assertEquals(100_000, c.rate());
        assertTrue(c.poisson());
        assertEquals(128, c.packetBytes());
        assertEquals(0x020000000001L, c.dstMac());
        assertArrayEquals(new byte[] {10, 0, 0, 1}, c.dstIpv4());
        assertEquals(7, c.dstPort());
        assertEquals(1, c.dstPorts());
        assertEquals(0, c.maxPackets());
    }

    static byte[] bytes(RxBatch b, int i) {
        byte[] a = new byte[b.length(i)];
        b.frame(i).getBytes(0, a);
        return a;
    }

    static final java.nio.ByteOrder BE = java.nio.ByteOrder.BIG_ENDIAN;
}
