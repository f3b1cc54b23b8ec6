package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.parse.PacketParser;
import io.calisto.io.parse.ParsedPacket;
import io.calisto.io.pcap.PcapWriter;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import io.calisto.io.rss.Toeplitz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowsCommandTest {
    @TempDir Path dir;

    /** 60 packets of 6 flows (2 IPv6, some TCP) plus one ARP frame, written with our pcap writer. */
    Path capture() {
        SyntheticConfig cfg = SyntheticConfig.withOverrides(Map.of("flows", 6, "rate", 0, "ipv6-fraction", 0.3,
            "tcp-fraction", 0.5, "seed", 3));
        SyntheticPort port = new SyntheticPort(cfg);
        RxBatch batch = new RxBatch(60);
        port.receive(batch, 0);
        Path file = dir.resolve("six-flows.pcap");
        try (PcapWriter w = new PcapWriter(file, false)) {
            for (int i = 0; i < 60; i++) w.write(batch.frame(i), 0, batch.length(i), 1_000_000_000L * i);
            byte[] arp = new byte[60];
            Arrays.fill(arp, 0, 6, (byte) 0xff);
            arp[12] = 0x08;
            arp[13] = 0x06;
            w.write(new UnsafeBuffer(arp), 0, 60, 0);
        }
        return file;
    }

    @Test
    void oneRowPerFlowWithToeplitzHashAndRoundRobinCores() throws Exception {
        Path file = capture();
        CliTest.Result r = CliTest.cli("flows", "--pcap", file.toString(), "--policy", "affinity", "--cores", "2");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("proto,src_ip,dst_ip,src_port,dst_port,rss_hash,app,core,packets", lines.getFirst());
        List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
        assertEquals(6, rows.size());
        assertEquals(60, rows.stream().mapToLong(c -> Long.parseLong(c[8])).sum());
        Toeplitz t = new Toeplitz(Toeplitz.MICROSOFT_KEY);
        for (int i = 0; i < rows.size(); i++) {
            String[] c = rows.get(i);
            assertEquals("echo", c[6]);
            assertEquals(Integer.toString(i % 2), c[7], "new flows alternate between the 2 cores in order of appearance");
            assertTrue(c[5].matches("0x[0-9a-f]{8}"), c[5]);
            assertEquals(expectedHash(file, c, t), c[5]);
        }
        // the capture is a standard one: tshark reads the same flows from it
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/tshark")), "tshark not installed (apt-get install tshark): skipping the cross-check");
        Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields", "-e", "ip.src", "-e", "ipv6.src",
            "-e", "udp.srcport", "-e", "tcp.srcport").redirectErrorStream(false).start();
        Set<String> fromTshark = new HashSet<>();
        for (String line : new String(p.getInputStream().readAllBytes()).strip().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 4 || (f[0].isEmpty() && f[1].isEmpty())) continue; // the ARP frame
            fromTshark.add((f[0].isEmpty() ? f[1] : f[0]) + "/" + (f[2].isEmpty() ? f[3] : f[2]));
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        Set<String> ours = new HashSet<>();
        for (String[] c : rows) ours.add(java.net.InetAddress.getByName(c[1]).getHostAddress() + "/" + c[3]);
        Set<String> theirs = new HashSet<>();
        for (String s : fromTshark) {
            String[] a = s.split("/");
            theirs.add(java.net.InetAddress.getByName(a[0]).getHostAddress() + "/" + a[1]);
        }
        assertEquals(ours, theirs);
    }

    /** The hash of the row's first packet, recomputed from the capture with the parser and Toeplitz directly. */
    private static String expectedHash(Path file, String[] row, Toeplitz t) {
        var buf = new UnsafeBuffer(new byte[2048]);
        ParsedPacket p = new ParsedPacket();
        try (var reader = io.calisto.io.pcap.PcapReader.open(file)) {
            for (int len; (len = reader.next(buf)) >= 0; ) {
                if (PacketParser.parse(buf, len, p) == null && p.hasPorts && Integer.toString(p.srcPort).equals(row[3])) {
                    return String.format("0x%08x", t.hash(p));
                }
            }
        }
        throw new AssertionError("flow not found in capture: " + String.join(",", row));
    }

    @Test
    void tableFormatAndDropCounts() {
        CliTest.Result r = CliTest.cli("flows", "--pcap", capture().toString(), "--format", "table", "--policy", "modulo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6 flows"), r.out());
        assertTrue(r.out().contains("dropped not-ip: 1"), r.out());
    }

    @Test
    void badCapturesAndOptionsExitTwoWithOneLine() throws Exception {
        Path text = dir.resolve("readme.txt");
        Files.writeString(text, "hello, I am not a capture at all");
        CliTest.Result r = CliTest.cli("flows", "--pcap", text.toString());
        assertEquals(2, r.code());
        assertEquals("calisto: " + text + ": not a pcap file (magic 0x68656c6c)", r.err().strip());
        r = CliTest.cli("flows", "--pcap", dir.resolve("nope.pcap").toString());
        assertEquals(2, r.code());
        assertEquals("calisto: capture not found: " + dir.resolve("nope.pcap"), r.err().strip());
        r = CliTest.cli("flows", "--pcap", capture().toString(), "--format", "xml");
        assertEquals(2, r.code());
        assertEquals("calisto: --format must be csv or table, was 'xml'", r.err().strip());
        r = CliTest.cli("flows");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
