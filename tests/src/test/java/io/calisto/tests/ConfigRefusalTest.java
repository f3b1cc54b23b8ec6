package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.ffm.DpdkPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14, part 1: a bad value of any {@code calisto.*} key is found before the media driver, DPDK or any thread
 * starts. Each case is checked twice over: in this JVM, with the Aeron directory under a parent that must never be
 * created (the driver would create it), and as a separate {@code calisto} process, whose exit code must be 2, whose
 * stderr must be one line naming the key, and whose pid must appear in no new /dev/shm entry.
 */
class ConfigRefusalTest {
    /** {@code key = value} lines, and the text the one line must contain (the key). */
    static Stream<List<String>> badValues() {
        return Stream.of(
            List.of("calisto.io.burst = 0", "calisto.io.burst must be in 1..1024, was 0"),
            List.of("calisto.io.cpu = 99", "calisto.io.cpu = 99: sched_setaffinity failed"),
            List.of("calisto.io.rss-key = abc", "calisto.io.rss-key must be 80 hex digits"),
            List.of("calisto.io.rss-key = \"" + "zz".repeat(40) + "\"", "calisto.io.rss-key is not hexadecimal"),
            List.of("calisto.io.max-frame = 10", "calisto.io.max-frame must be in 64..2048"),
            List.of("calisto.aeron.mtu = 100", "calisto.aeron.mtu must be"),
            List.of("calisto.aeron.driver-timeout = 0", "calisto.aeron.driver-timeout must be positive"),
            // a pool set explicitly (left to run's default, an explicit burstable grows the pool: CoreDefaults)
            List.of("calisto.cores.pool = [0, 1, 2, 3, 4, 5, 6, 7]\ncalisto.cores.burstable = 9", "calisto.cores.burstable must be at most the pool's 8 cores"),
            List.of("calisto.core.poll-batch = 0", "calisto.core.poll-batch must be >= 1, was 0"),
            List.of("calisto.core.idle-strategy = nope", "calisto.core.idle-strategy must be one of"),
            List.of("calisto.core.park-after = 10", "calisto.core.park-after needs a unit"),
            List.of("calisto.core.park-after = -1us", "calisto.core.park-after must be >= 0"),
            List.of("calisto.core.realtime-priority = 100", "calisto.core.realtime-priority must be in 0..99 (0: off), was 100"),
            List.of("calisto.core.realtime-priority = 10\ncalisto.cores.pool = [0]\ncalisto.cores.cpus = []",
                "calisto.core.realtime-priority = 10 needs calisto.cores.cpus to pin each pool core to a CPU of its own; it is empty"),
            List.of("calisto.core.realtime-priority = 10\ncalisto.cores.pool = [0, 1]\ncalisto.cores.cpus = [1, 1]", "; it lists a CPU twice: [1, 1]"),
            List.of("calisto.core.realtime-priority = 10\ncalisto.io.cpu = 0\ncalisto.cores.pool = [0]\ncalisto.cores.cpus = [0]",
                "not the IO thread's (calisto.io.cpu = 0); it has [0]"),
            List.of("calisto.core-dispatcher.executor = nope", "calisto.core-dispatcher.executor must be"),
            List.of("calisto.demo.match = \"nope=1\"", "calisto.demo.match: unknown match rule key 'nope'"),
            List.of("calisto.demo.service-time-ns = -1", "calisto.demo.service-time-ns must be >= 0"),
            List.of("calisto.dispatch.migration-table-capacity = 0", "calisto.dispatch.migration-table-capacity must be"),
            List.of("calisto.synthetic.dst-ports = 0", "calisto.synthetic.dst-ports must be"),
            List.of("calisto.shutdown.timeout = 5", "calisto.shutdown.timeout needs a unit"),
            List.of("calisto.run.port = pcap\ncalisto.pcap.loops = 0\ncalisto.pcap.in = \"x.pcap\"", "calisto.pcap.loops must be >= 1"),
            List.of("calisto.run.port = dpdk\ncalisto.dpdk.rx-ring = 100", "calisto.dpdk.rx-ring must be a power of two"),
            List.of("calisto.run.port = dpdk\ncalisto.dpdk.eal-args = [\"-l\", \"0\", \"-h\"]", "calisto.dpdk.eal-args (--eal) has -h"),
            List.of("calisto.run.port = dpdk\ncalisto.dpdk.eal-args = []", "calisto.dpdk.eal-args (--eal) is empty"),
            List.of("calisto.aeron.embedded-driver = false", "calisto.aeron.embedded-driver = false but no media driver runs on"),
            List.of("calisto.io.bursts = 3", "calisto.io.bursts is not a setting"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void inThisJvmNothingStarts(List<String> c, @TempDir Path dir) throws IOException {
        Path never = dir.resolve("never"), conf = dir.resolve("bad.conf");
        Files.writeString(conf, c.get(0) + "\ncalisto.aeron.dir = \"" + never.resolve("aeron") + "\"\n");
        CliTest.Result r = CliTest.cli("run", "--duration", "1s", "--config", conf.toString());
        assertEquals(2, r.code(), c.get(0) + " -> " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("calisto: ") && r.err().contains(c.get(1)), c.get(0) + " -> " + r.err());
        assertFalse(Files.exists(never), c.get(0) + ": the media driver started (it created " + never + ")");
    }

    /** The values the issue names, and one of each other owner's keys (a JVM each: kept to a few). */
    static Stream<List<String>> processValues() {
        List<String> keys = List.of("calisto.io.burst", "calisto.io.cpu", "calisto.io.rss-key", "calisto.cores.burstable", "calisto.core.poll-batch",
            "calisto.core-dispatcher.executor", "calisto.demo.match", "calisto.aeron.embedded-driver", "calisto.io.bursts");
        return badValues().filter(c -> keys.stream().anyMatch(k -> c.get(0).startsWith(k + " ")));
    }

    @ParameterizedTest
    @MethodSource("processValues")
    void asAProcessExitTwoWithOneLineAndLeaveNothingInDevShm(List<String> c, @TempDir Path dir) throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, c.get(0) + "\n");
        Result r = process(List.of("run", "--duration", "1s", "--config", conf.toString()));
        assertEquals(2, r.code, c.get(0) + " -> " + r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.startsWith("calisto: ") && r.err.contains(c.get(1)), c.get(0) + " -> " + r.err);
        assertEquals(Set.of(), r.newShmOfChild, c.get(0));
    }

    /** serve and experiment check the same keys before their ports, drivers or warm-up steps. */
    @Test
    void serveAndExperimentRefuseBeforeStarting(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "calisto.io.burst = 0\n");
        Path aeron = Path.of("/dev/shm/calisto-cfgtest-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Result r = process(List.of("serve", "--echo", "--bind", "127.0.0.1:0", "--aeron-dir", aeron.toString(), "--config", conf.toString()));
        assertEquals(2, r.code, r.err);
        assertEquals("calisto: calisto.io.burst must be in 1..1024, was 0", r.err.strip());
        assertFalse(Files.exists(aeron), aeron + " created");
        assertFalse(Files.exists(Path.of(aeron + ".lock")), aeron + ".lock left behind");
        Files.writeString(conf, "calisto.core.poll-batch = 0\n");
        r = process(List.of("serve", "--echo", "--bind", "127.0.0.1:0", "--aeron-dir", aeron.toString(), "--config", conf.toString()));
        assertEquals("calisto: calisto.core.poll-batch must be >= 1, was 0", r.err.strip());
        assertFalse(Files.exists(aeron), aeron + " created");

        Path out = dir.resolve("exp");
        r = process(List.of("experiment", "paper", "--quick", "--out", out.toString()), "-Dcalisto.io.burst=0");
        assertEquals(2, r.code, r.err);
        assertEquals("calisto: calisto.io.burst must be in 1..1024, was 0", r.err.strip());
        assertEquals(Set.of(), r.newShmOfChild);
        assertFalse(Files.exists(out.resolve("results.csv")));
    }

    /** EAL's help flag would print its usage and exit 0; a failing init printed 6-11 EAL: lines and its usage. */
    @Test
    void ealArgumentsAreRefusedOrFailInOneLine() throws Exception {
        String base = "-l 0 --no-huge -m 256 --no-pci --no-shconf --vdev=net_null0";
        Result r = process(List.of("run", "--port", "dpdk", "--duration", "1s", "--eal", base + " -h"));
        assertEquals(2, r.code, r.err);
        assertEquals("", r.out);
        assertEquals("calisto: calisto.dpdk.eal-args (--eal) has -h: EAL's help and version flags are refused (-h prints EAL's usage and ends the process);"
            + " dpdk-testpmd -h shows EAL's options", r.err.strip());
        r = process(List.of("run", "--port", "dpdk", "--duration", "1s", "--eal", ""));
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.startsWith("calisto: calisto.dpdk.eal-args (--eal) is empty"), r.err);
        Assumptions.assumeTrue(DpdkPort.available(), "DPDK is not installed");
        r = process(List.of("run", "--port", "dpdk", "--duration", "1s", "--eal", "-l 99 --no-huge -m 256 --no-pci --no-shconf"));
        assertEquals(2, r.code, r.err);
        assertEquals("", r.out, "EAL's usage reached stdout");
        assertEquals("calisto: DPDK EAL init failed: lcore 99 unavailable; invalid core list, please check specified cores are part of 0-1 (Invalid argument)"
            + " (args [-l, 99, --no-huge, -m, 256, --no-pci, --no-shconf])", r.err.strip());
        r = process(List.of("run", "--port", "dpdk", "--duration", "1s", "--eal", base + " --vdev=bogus0"));
        assertEquals(2, r.code, r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.startsWith("calisto: DPDK EAL init failed: failed to parse device \"bogus0\""), r.err);
        assertEquals(Set.of(), r.newShmOfChild);
    }

    record Result(int code, String out, String err, Set<String> newShmOfChild) {}

    /** {@code calisto ARGS} as a process; the /dev/shm entries it created (named after its pid, or this test's). */
    static Result process(List<String> args, String... jvmOptions) throws Exception {
        Set<String> before = shm();
        List<String> cmd = ServeProcess.cli(args.toArray(String[]::new));
        cmd.addAll(1, List.of(jvmOptions));
        Path out = Files.createTempFile("calisto-out", ".txt"), err = Files.createTempFile("calisto-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly().waitFor();
        String o = Files.readString(out), e = Files.readString(err);
        Files.delete(out);
        Files.delete(err);
        assertTrue(ended, "still running: " + args + "\n" + o + e);
        Set<String> created = new TreeSet<>(shm());
        created.removeAll(before);
        String pid = Long.toString(p.pid()), mine = "cfgtest-" + ProcessHandle.current().pid();
        created.removeIf(name -> !name.matches(".*\\b" + pid + "\\b.*") && !name.contains(mine));
        return new Result(p.exitValue(), o, e, created);
    }

    private static Set<String> shm() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return new TreeSet<>(s.map(f -> f.getFileName().toString()).toList());
        }
    }
}
