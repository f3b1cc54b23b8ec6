package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.demo.EchoApp;
import io.calisto.io.pcap.PcapReader;
import io.calisto.io.pcap.PcapWriter;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A capture goes rx (DPDK net_pcap) → dispatch → echo app → tx (DPDK net_pcap): the output holds exactly the echoes. */
class DpdkEndToEndTest {
    static final int PACKETS = 500;

    @Test
    void pcapVdevThroughTheWholeStackEchoesEveryPacketByteForByte() throws Exception {
        Assumptions.assumeTrue(io.calisto.io.ffm.DpdkPort.available(), () -> "DPDK end-to-end test skipped: " + io.calisto.io.ffm.DpdkPort.unavailableReason());
        Path dir = Files.createTempDirectory("calisto-dpdk-e2e");
        Path in = dir.resolve("in.pcap"), out = dir.resolve("out.pcap");
        List<String> expected = new ArrayList<>();
        SyntheticPort gen = new SyntheticPort(SyntheticConfig.withOverrides(Map.of("flows", 40, "rate", 0)));
        RxBatch batch = new RxBatch(PACKETS);
        gen.receive(batch, 0);
        try (PcapWriter w = new PcapWriter(in, false)) {
            for (int i = 0; i < PACKETS; i++) {
                byte[] f = new byte[batch.length(i)];
                batch.frame(i).getBytes(0, f);
                w.write(new UnsafeBuffer(f), 0, f.length, i);
                expected.add(HexFormat.of().formatHex(echoOf(f)));
            }
        }
        Config c = EndToEndTest.config(Map.of(
            "calisto.run.port", "dpdk",
            "calisto.dpdk.port", "net_pcap0",
            "calisto.dpdk.eal-args", List.of("-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry",
                "--log-level=lib.eal:error", "--file-prefix=calisto-e2e-" + ProcessHandle.current().pid(),
                "--vdev=net_pcap0,rx_pcap=" + in + ",tx_pcap=" + out),
            "calisto.io.idle-strategy", "backoff"));
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "dpdk-apps", c);
        RunSummary s;
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            dp.register(apps, EchoApp.spec(c.getConfig("calisto.demo")), 2, 2);
            dp.startRx();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (dp.kernel().received() < PACKETS && System.nanoTime() < deadline) Thread.sleep(10);
            dp.drainAndStop(Duration.ofSeconds(10));
            s = RunSummary.of(dp);
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
        assertEquals(PACKETS, s.received(), s.toString());
        assertEquals(PACKETS, s.delivered());
        assertEquals(PACKETS, s.transmitted());
        assertEquals(0, s.unaccounted());
        // replies from two cores interleave: compare as multisets
        List<String> got = new ArrayList<>();
        UnsafeBuffer buf = new UnsafeBuffer(new byte[2048]);
        try (PcapReader r = PcapReader.open(out)) {
            for (int len; (len = r.next(buf)) >= 0; ) {
                byte[] f = new byte[len];
                buf.getBytes(0, f);
                got.add(HexFormat.of().formatHex(f));
            }
        }
        assertEquals(PACKETS, got.size());
        assertEquals(expected.stream().sorted().toList(), got.stream().sorted().toList());
        assertTrue(expected.stream().distinct().count() > 1);
    }

    /** The echo of an IPv4/UDP frame, computed here independently of EchoApp: MACs, addresses and ports swapped. */
    static byte[] echoOf(byte[] f) {
        byte[] e = f.clone();
        swap(e, 0, 6, 6);
        swap(e, 26, 30, 4);
        swap(e, 34, 36, 2);
        return e;
    }

    private static void swap(byte[] b, int x, int y, int n) {
        for (int i = 0; i < n; i++) {
            byte t = b[x + i];
            b[x + i] = b[y + i];
            b[y + i] = t;
        }
    }
}
