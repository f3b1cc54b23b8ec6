package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CliTest {
    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void runPrintsProgressAndAZeroUnaccountedSummary() {
        Result r = cli("run", "--duration", "2s", "--rate", "20000", "--flows", "300", "--policy", "modulo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("[  1s] rx "), r.out());
        assertTrue(r.out().contains("== summary (port synthetic) =="), r.out());
        assertTrue(r.out().contains("unaccounted  0"), r.out());
        assertTrue(r.out().contains("app echo      delivered"), r.out());
        assertTrue(r.out().matches("(?s).*table-full-fallbacks 0  expired 0  rebinds .*"), r.out());
    }

    @Test
    void aShortFlowIdleTimeoutShowsExpiredEntriesBesideTheFallbacks() {
        // 300 flows at ~20k packets/s: a flow's packets are ~15 ms apart, so at 5 ms many of its gaps are longer
        Result r = cli("run", "--duration", "2s", "--rate", "20000", "--flows", "300", "--policy", "affinity", "--flow-idle-timeout", "5ms");
        assertEquals(0, r.code(), r.err());
        var m = java.util.regex.Pattern.compile("table-full-fallbacks 0  expired (\\d+)  rebinds").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Long.parseLong(m.group(1)) > 100, r.out());
    }

    @Test
    void badOptionValuesExitTwoWithOneLine() {
        for (String[] args : new String[][] {
            {"run", "--policy", "random"},
            {"run", "--duration", "soon"},
            {"run", "--flows", "0"},
            {"run", "--rate", "abc"},
            {"run", "--pcap", "/nonexistent/in.pcap"},
            {"run", "--bogus"},
            {"run", "--flow-idle-timeout", "0"},
            {"run", "--flow-idle-timeout", "-1s"},
            {"run", "--flow-idle-timeout", "soon"},
        }) {
            Result r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line expected: " + r.err());
            assertTrue(r.err().startsWith("calisto: "), r.err());
        }
        assertEquals("calisto: --policy must be one of modulo, affinity, affinity-held, affinity-rebind, affinity-published, affinity-prefill, affinity-hybrid, buckets; was 'random'", cli("run", "--policy", "random").err().strip());
        assertEquals("calisto: capture not found: /nonexistent/in.pcap", cli("run", "--pcap", "/nonexistent/in.pcap").err().strip());
        assertEquals("calisto: --flow-idle-timeout must be positive, was '0'", cli("run", "--flow-idle-timeout", "0").err().strip());
    }

    @Test
    void anAeronDirThatIsNotADataplanesIsRefusedAndKept(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path mine = dir.resolve("mine");
        java.nio.file.Files.createDirectories(mine.resolve("sub"));
        java.nio.file.Files.writeString(mine.resolve("sub/keep.txt"), "precious\n");
        java.nio.file.Path conf = dir.resolve("dir.conf");
        java.nio.file.Files.writeString(conf, "calisto.aeron.dir = \"" + mine + "\"\n");
        Result r = cli("run", "--duration", "1s", "--config", conf.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("calisto: calisto.aeron.dir: Aeron directory " + mine + " exists and is not a dataplane's (no cnc.dat): refusing to delete it;"
            + " name a new or empty directory", r.err().strip());
        assertEquals("precious\n", java.nio.file.Files.readString(mine.resolve("sub/keep.txt")));
        // serve refuses it too, with the same line
        r = cli("serve", "--aeron-dir", mine.toString(), "--bind", "127.0.0.1:0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("calisto: Aeron directory " + mine + " exists and is not a dataplane's"), r.err());
        assertEquals("precious\n", java.nio.file.Files.readString(mine.resolve("sub/keep.txt")));
    }

    @Test
    void anAeronDirWithALiveDriverIsRefusedAndKept() throws Exception {
        String live = "/dev/shm/calisto-clitest-live-" + ProcessHandle.current().pid();
        try (io.calisto.aeron.EmbeddedDriver driver = io.calisto.aeron.EmbeddedDriver.launch(live)) {
            java.nio.file.Path conf = java.nio.file.Files.createTempFile("live", ".conf");
            java.nio.file.Files.writeString(conf, "calisto.aeron.dir = \"" + live + "\"\n");
            Result r = cli("run", "--duration", "1s", "--config", conf.toString());
            java.nio.file.Files.delete(conf);
            assertEquals(2, r.code(), r.err());
            assertEquals("calisto: calisto.aeron.dir: Aeron directory " + live + " has a live media driver (another dataplane uses it)", r.err().strip());
            assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of(live, "cnc.dat")));
        }
    }

    @Test
    void aDeadDataplanesDirectoryIsRemovedAtTheNextStartAndNothingElse() throws Exception {
        long dead = Long.parseLong(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/pid_max")).strip()) + 1000;
        java.nio.file.Path stale = java.nio.file.Path.of("/dev/shm/calisto-" + dead), other = java.nio.file.Path.of("/dev/shm/calisto-" + (dead + 1));
        try {
            java.nio.file.Files.createDirectories(stale);
            java.nio.file.Files.write(stale.resolve("cnc.dat"), new byte[64]); // a dead driver's: no heartbeat
            java.nio.file.Files.write(stale.resolve("logbuffer"), new byte[1024]);
            java.nio.file.Files.createDirectories(other);
            java.nio.file.Files.writeString(other.resolve("keep.txt"), "not a dataplane's");
            Result r = cli("run", "--duration", "1s");
            assertEquals(0, r.code(), r.err());
            assertTrue(!java.nio.file.Files.exists(stale), stale + " still there");
            assertTrue(java.nio.file.Files.exists(other.resolve("keep.txt")), other + " was touched");
        } finally {
            org.agrona.IoUtil.delete(stale.toFile(), true);
            org.agrona.IoUtil.delete(other.toFile(), true);
        }
    }

    @Test
    void aDurationWithoutAUnitIsRefused() {
        Result r = cli("run", "--duration", "10");
        assertEquals(2, r.code(), r.err());
        assertEquals("calisto: --duration needs a unit (e.g. 10s, 500ms), was '10'", r.err().strip());
        r = cli("stat", "--interval", "1.5");
        assertEquals("calisto: --interval needs a unit (e.g. 10s, 500ms), was '1.5'", r.err().strip());
    }

    @Test
    void badConfigValuesAndOutputDirectoriesAreOneLineNotAStackTrace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("bad.conf");
        for (String[] c : new String[][] {
            {"calisto.core-dispatcher.type = Nope", "calisto: calisto.core-dispatcher.type must be Dispatcher, PinnedDispatcher, BalancingDispatcher or a configurator class, was 'Nope'"},
            {"calisto.aeron.term-length = 2g", "calisto: calisto.aeron.term-length must be a power of two in 64k..1g, was 2147483648"},
            {"calisto.demo.match = \",\"", "calisto: calisto.demo.match: match rule ',' has an empty term (\"\" or any matches every packet)"},
            {"calisto.run.duration = 10", "calisto: calisto.run.duration needs a unit (e.g. 10s, 500ms), was '10'"},
        }) {
            java.nio.file.Files.writeString(conf, c[0] + "\n");
            Result r = cli("run", "--config", conf.toString());
            assertEquals(2, r.code(), c[0] + " -> " + r.err());
            assertEquals(c[1], r.err().strip(), c[0]);
        }
        Result r = cli("experiment", "paper", "--mode", "sim", "--quick", "--out", "/proc/nope");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("calisto: cannot create --out /proc/nope: "), r.err());
    }

    @Test
    void aZeroFlowIdleTimeoutInAConfigFileIsOneLineNamingTheKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("aging.conf");
        java.nio.file.Files.writeString(conf, "calisto.dispatch.flow-idle-timeout = 0\n");
        Result r = cli("run", "--duration", "1s", "--config", conf.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("calisto: calisto.dispatch.flow-idle-timeout must be positive (or off: never expire), was '0'", r.err().strip());
    }

    @Test
    void aCpuThatCannotBeHadIsOneLineNotAStackTrace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("pin.conf");
        java.nio.file.Files.writeString(conf, "calisto.io.cpu = 900\n");
        Result r = cli("run", "--duration", "1s", "--config", conf.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("calisto: calisto.io.cpu = 900: sched_setaffinity failed with errno 22 (no such CPU, or not allowed for this process)", r.err().strip());
        // an explicit pool: run's default pool follows this machine's CPUs (CoreDefaults)
        java.nio.file.Files.writeString(conf, "calisto.cores.pool = [0, 1, 2]\ncalisto.cores.cpus = [0, 1]\n");
        r = cli("run", "--duration", "1s", "--config", conf.toString());
        assertEquals("calisto: calisto.cores.cpus must be empty or list one CPU per pool core (3), has 2", r.err().strip());
    }

    @Test
    void pinnedRunStillAccountsForEveryPacket(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("pinned.conf");
        java.nio.file.Files.writeString(conf, "calisto.io.cpu = 0\ncalisto.io.idle-strategy = backoff\ncalisto.cores.pool = [0, 1]\ncalisto.cores.cpus = [1, 1]\ncalisto.cores.burstable = 2\n");
        Result r = cli("run", "--duration", "1s", "--rate", "10000", "--config", conf.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("unaccounted  0"), r.out());
    }
}
