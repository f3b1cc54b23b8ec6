package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code bench pipeline} end to end on a tiny setting: a capture of 1000 flows replayed by DPDK net_pcap, bare and
 * full windows alternated, one well-formed RESULT line whose packet counts add up. No figure is asserted (speed
 * lives in the benchmark's own output), only that each side measured something and the accounting is exact.
 */
class DpdkPipelineBenchTest {
    static final Pattern RESULT = Pattern.compile("RESULT mpps=(\\d+\\.\\d+) bare_rx_mpps=(\\d+\\.\\d+) ratio=(\\d+\\.\\d+) ratio_min=(\\d+\\.\\d+)"
        + " ratio_max=(\\d+\\.\\d+) rounds=(\\d+) alloc_bytes_per_packet=(\\d+\\.\\d+) policy=(\\S+) delivered_mpps=(\\d+\\.\\d+)"
        + " io_cpu_share=(\\d+\\.\\d+) io_cpu_ns_per_packet=(\\d+\\.\\d+) received=(\\d+) delivered=(\\d+) dropped=(\\d+) unaccounted=(-?\\d+)");

    @Test
    void onePolicyPrintsOneResultLineWithCountsThatAddUp() {
        Assumptions.assumeTrue(io.calisto.io.ffm.DpdkPort.available(), () -> "bench pipeline test skipped: " + io.calisto.io.ffm.DpdkPort.unavailableReason());
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "bench pipeline needs 2 CPUs");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[] {"bench", "pipeline", "--seconds", "1", "--flows", "1000", "--policy", "modulo"},
            new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, () -> out + "\n" + err);
        List<String> lines = out.toString().lines().toList();
        List<String> results = lines.stream().filter(l -> l.startsWith("RESULT")).toList();
        assertEquals(1, results.size(), out::toString);
        Matcher m = RESULT.matcher(results.getFirst());
        assertTrue(m.matches(), results.getFirst());
        assertEquals("modulo", m.group(8));
        assertEquals(3, Integer.parseInt(m.group(6)), "--seconds 1 runs the minimum of 3 rounds");
        assertEquals(3, lines.stream().filter(l -> l.startsWith("  modulo round ")).count(), out::toString);
        double mpps = Double.parseDouble(m.group(1)), bare = Double.parseDouble(m.group(2));
        double ratio = Double.parseDouble(m.group(3)), min = Double.parseDouble(m.group(4)), max = Double.parseDouble(m.group(5));
        assertTrue(mpps > 0 && bare > 0, "both sides moved packets: " + results.getFirst());
        assertTrue(min <= ratio && ratio <= max, "the median lies within its spread: " + results.getFirst());
        double share = Double.parseDouble(m.group(10));
        assertTrue(share > 0 && share <= 1.05, "the IO thread's CPU time over a window is a share of it: " + results.getFirst());
        assertTrue(Double.parseDouble(m.group(11)) > 0, results.getFirst());
        long received = Long.parseLong(m.group(12)), delivered = Long.parseLong(m.group(13)), dropped = Long.parseLong(m.group(14));
        assertTrue(received > 0 && delivered > 0, results.getFirst());
        assertEquals(received, delivered + dropped, "every packet the IO core received is delivered or counted dropped: " + results.getFirst());
        assertEquals(0, Long.parseLong(m.group(15)), results.getFirst());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("whole run: ") && l.endsWith("unaccounted 0")), out::toString);
        assertTrue(out.toString().contains("1000 distinct UDP flows"), out::toString);
    }

    @Test
    void aBadFlowCountOrPolicyIsOneLineAndExitTwo() {
        assertEquals("calisto: --flows must be in 1..2000000 (one mbuf per flow is held by net_pcap), was 0", usageError("--flows", "0"));
        assertEquals("calisto: --policy must be one of modulo, affinity, affinity-held, affinity-rebind, affinity-published, affinity-prefill, affinity-hybrid, buckets, all; was 'fastest'",
            usageError("--policy", "fastest"));
    }

    private static String usageError(String... options) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] args = new String[options.length + 2];
        args[0] = "bench";
        args[1] = "pipeline";
        System.arraycopy(options, 0, args, 2, options.length);
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(2, code, err::toString);
        assertEquals("", out.toString());
        return err.toString().strip();
    }
}
