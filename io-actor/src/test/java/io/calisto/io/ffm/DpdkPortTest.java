package io.calisto.io.ffm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.pcap.PcapReader;
import io.calisto.io.pcap.PcapWriter;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.TxBatch;
import io.calisto.io.rss.Toeplitz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DpdkPort on DPDK's own vdevs. One EAL per JVM: every vdev these tests use is in the one argument list.
 * Skips only when the DPDK libraries are not installed, and says so.
 */
class DpdkPortTest {
    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "calisto-dpdk-test-" + ProcessHandle.current().pid());
    static final Path IN = DIR.resolve("in.pcap"), OUT = DIR.resolve("out.pcap");
    static final List<byte[]> FRAMES = new ArrayList<>();
    static List<String> eal;

    @BeforeAll
    static void eal() throws Exception {
        Assumptions.assumeTrue(Dpdk.available(), () -> "DPDK not installed, DPDK tests skipped: " + Dpdk.unavailableReason());
        if (eal != null) return;
        Files.createDirectories(DIR);
        try (PcapWriter w = new PcapWriter(IN, false)) {
            for (int i = 0; i < 100; i++) {
                byte[] f = new byte[60 + i * 7];
                for (int j = 0; j < f.length; j++) f[j] = (byte) (i + j * 13);
                FRAMES.add(f);
                w.write(new UnsafeBuffer(f), 0, f.length, i * 1000L);
            }
        }
        eal = List.of("-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--log-level=lib.eal:error",
            "--file-prefix=calisto-test-" + ProcessHandle.current().pid(),
            "--vdev=net_null0", "--vdev=net_pcap0,rx_pcap=" + IN + ",tx_pcap=" + OUT);
        Eal.init(eal);
    }

    static DpdkPort port(String name) {
        return new DpdkPort(new DpdkConfig(eal, name, 1024, 1024, 8191, 256, Toeplitz.MICROSOFT_KEY, ""), 32);
    }

    @Test
    void nullDeviceRxLoopCountsAndFreesEveryMbuf() {
        DpdkPort p = port("net_null0");
        RxBatch batch = new RxBatch(32);
        long total = 0, end = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < end) {
            int n = p.receive(batch, 0);
            for (int i = 0; i < n; i++) assertEquals(64, batch.length(i)); // net_null's default packet size
            total += n;
            p.release(batch);
        }
        assertTrue(total > 100_000, "net_null gave only " + total + " packets in 0.5 s");
        assertEquals(total, p.rxPackets());
        assertEquals(0, p.mbufsInUse(), "mbufs leaked");
        p.close();
    }

    @Test
    void pcapDeviceRxThenTxGivesTheSameBytes() throws Exception {
        DpdkPort p = port("net_pcap0");
        RxBatch batch = new RxBatch(32);
        TxBatch tx = new TxBatch(32);
        List<byte[]> got = new ArrayList<>();
        long idle = System.nanoTime() + 2_000_000_000L;
        while (got.size() < FRAMES.size() && System.nanoTime() < idle) {
            int n = p.receive(batch, 0);
            for (int i = 0; i < n; i++) {
                byte[] f = new byte[batch.length(i)];
                batch.frame(i).getBytes(0, f);
                got.add(f);
                tx.add(batch.frame(i), 0, batch.length(i));
            }
            p.release(batch);
            if (tx.count() > 0) assertEquals(tx.count(), p.transmit(tx));
            tx.clear();
        }
        assertEquals(FRAMES.size(), got.size());
        for (int i = 0; i < FRAMES.size(); i++) assertArrayEquals(FRAMES.get(i), got.get(i), "frame " + i);
        assertEquals(0, p.mbufsInUse(), "mbufs leaked after rx + tx");
        assertEquals(100, p.txPackets());
        p.close();
        UnsafeBuffer buf = new UnsafeBuffer(new byte[2048]);
        try (PcapReader r = PcapReader.open(OUT)) {
            for (byte[] expected : FRAMES) {
                int len = r.next(buf);
                byte[] f = new byte[len];
                buf.getBytes(0, f);
                assertArrayEquals(expected, f);
            }
            assertEquals(-1, r.next(buf));
        }
    }

    @Test
    void unknownPortsAndASecondEalAreClearErrors() {
        assertEquals("no DPDK port named 'net_nope0' (is it in calisto.dpdk.eal-args, e.g. --vdev=net_nope0?)",
            assertThrows(DpdkException.class, () -> port("net_nope0")).getMessage());
        assertEquals("no DPDK port with id 77", assertThrows(DpdkException.class, () -> port("77")).getMessage());
        DpdkException e = assertThrows(DpdkException.class, () -> Eal.init(List.of("--no-huge")));
        assertTrue(e.getMessage().startsWith("DPDK EAL is already initialised in this process with"), e.getMessage());
    }
}
