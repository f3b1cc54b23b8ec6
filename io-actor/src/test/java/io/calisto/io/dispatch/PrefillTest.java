package io.calisto.io.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calisto.io.rss.Toeplitz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefillTest {
    static final Toeplitz MS_KEY = new Toeplitz(Toeplitz.MICROSOFT_KEY);
    static final int[] POOL = {0, 1, 2, 3};

    static Prefill parse(String... lines) { return Prefill.parse("flows.txt", List.of(lines), MS_KEY, POOL); }

    static String error(String... lines) {
        return assertThrows(IllegalArgumentException.class, () -> parse(lines)).getMessage();
    }

    static ActiveCores cores(int n) {
        ActiveCores c = new ActiveCores();
        for (int i = 0; i < n; i++) c.add(i);
        return c;
    }

    @Test
    void hashesAndFiveTuplesWithCommentsAndBlankLines() {
        Prefill p = parse(
            "# hash core",
            "0x8a3f12c4 3",
            "",
            "4294967295 0   # the largest hash",
            // Microsoft's RSS verification vectors: 0x51ccc178 and 0x40207d3d with the ports
            "tcp 66.9.149.187 2794 161.142.100.80 1766 1",
            "  udp 3ffe:2501:200:1fff::7 2794 3ffe:2501:200:3::1 1766 2");
        assertEquals(4, p.size());
        assertEquals(List.of(0x8a3f12c4, 0xFFFFFFFF, 0x51ccc178, 0x40207d3d), List.of(p.hash(0), p.hash(1), p.hash(2), p.hash(3)));
        assertEquals(List.of(3, 0, 1, 2), List.of(p.core(0), p.core(1), p.core(2), p.core(3)));
    }

    @Test
    void aBadLineIsOneErrorNamingFileAndLine() {
        assertEquals("flows.txt:2: expected 'HASH CORE' or 'udp|tcp SRC-IP SRC-PORT DST-IP DST-PORT CORE', found 3 fields",
            error("0x1 1", "0x2 1 1"));
        assertEquals("flows.txt:1: hash '0x1g' is not an unsigned 32-bit number (0x hex or decimal)", error("0x1g 1"));
        assertEquals("flows.txt:1: hash '4294967296' is not an unsigned 32-bit number (0x hex or decimal)", error("4294967296 1"));
        assertEquals("flows.txt:1: hash '-1' is not an unsigned 32-bit number (0x hex or decimal)", error("-1 1"));
        assertEquals("flows.txt:1: core 'x' is not a number in 0..255", error("7 x"));
        assertEquals("flows.txt:3: core 9 is not in calisto.cores.pool [0, 1, 2, 3]", error("1 1", "# c", "2 9"));
        assertEquals("flows.txt:2: hash 0x7 is already listed on line 1", error("7 1", "0x7 2"));
        assertEquals("flows.txt:1: protocol 'icmp' is not udp or tcp", error("icmp 10.0.0.1 1 10.0.0.2 2 1"));
        assertEquals("flows.txt:1: 'example.com' is not an IPv4 or IPv6 address", error("udp example.com 1 10.0.0.2 2 1"));
        assertEquals("flows.txt:1: source port '70000' is not a number in 0..65535", error("udp 10.0.0.1 70000 10.0.0.2 2 1"));
        assertEquals("flows.txt:1: source and destination must both be IPv4 or both IPv6", error("udp 10.0.0.1 1 fd00::1 2 1"));
    }

    @Test
    void aMissingFileIsOneError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.txt");
        assertEquals("cannot read the prefill file " + missing + ": " + missing,
            assertThrows(IllegalArgumentException.class, () -> Prefill.read(missing, MS_KEY, POOL)).getMessage());
        Path f = dir.resolve("flows.txt");
        Files.writeString(f, "0x10 2\n17 3\n");
        assertEquals(2, Prefill.read(f, MS_KEY, POOL).size());
    }

    @Test
    void prefilledFlowsGoToTheirCoreFromTheFirstPacketAndOthersAsAffinityHeld() {
        ActiveCores c = cores(4);
        var options = new DispatchPolicy.Options(100, FlowTable.NEVER, 16, 0, new Prefill(new int[] {10, 11, 12}, new int[] {3, 3, 1}));
        DispatchPolicy p = DispatchPolicy.create("affinity-prefill", c, options);
        assertEquals("affinity-prefill", p.name());
        assertEquals(0, p.tableSize()); // bound on the IO thread, at the first tick or packet
        assertEquals(List.of(3, 3, 1), List.of(p.coreFor(10, 0), p.coreFor(11, 0), p.coreFor(12, 0)));
        assertEquals(3, p.tableSize());
        // an unlisted flow: round-robin over the held cores, as affinity-held
        assertEquals(List.of(0, 1), List.of(p.coreFor(99, 0), p.coreFor(98, 0)));
        // a listed core the app does not hold: re-bound (no scheduler here to take it back)
        ActiveCores two = cores(2);
        DispatchPolicy q = DispatchPolicy.create("affinity-prefill", two, options);
        assertEquals(0, q.coreFor(10, 0));
        assertEquals(1, q.rebinds());
    }

    @Test
    void prefilledEntriesAgeFromWhenTheyWereBoundNotFromTimeZero() {
        long start = 1L << 50, timeout = 1_000_000_000L;
        var options = new DispatchPolicy.Options(100, timeout, 16, 0, new Prefill(new int[] {10}, new int[] {3}));
        AffinityTablePolicy p = (AffinityTablePolicy) DispatchPolicy.create("affinity-prefill", cores(4), options);
        p.tick(start);
        p.tick(start + timeout / 2);
        assertEquals(3, p.coreFor(10, start + timeout / 2));
        assertEquals(0, p.expired());
    }

    @Test
    void aPrefillLargerThanTheTableIsRefused() {
        var options = new DispatchPolicy.Options(2, FlowTable.NEVER, 16, 0, new Prefill(new int[] {1, 2, 3}, new int[] {0, 0, 0}));
        assertEquals("the prefill lists 3 flows; the flow table holds 2 (calisto.dispatch.flow-table-capacity)",
            assertThrows(IllegalArgumentException.class, () -> DispatchPolicy.create("affinity-prefill", cores(1), options)).getMessage());
    }
}
