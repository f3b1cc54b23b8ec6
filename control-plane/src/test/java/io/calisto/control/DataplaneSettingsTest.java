package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.io.rss.Toeplitz;
import org.junit.jupiter.api.Test;

/** The dataplane's settings: read once, each bad value (and each unknown calisto key) one line naming its key. */
class DataplaneSettingsTest {
    private static Config with(String hocon) {
        ConfigFactory.invalidateCaches();
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    private static String error(String hocon) {
        return assertThrows(IllegalArgumentException.class, () -> DataplaneSettings.from(with(hocon))).getMessage();
    }

    @Test
    void theDefaultsAreTyped() {
        DataplaneSettings s = DataplaneSettings.from(with(""));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, s.cores().pool());
        assertEquals(-1, s.cores().cpuOf(3));
        assertEquals(32, s.io().burst());
        assertArrayEquals(Toeplitz.MICROSOFT_KEY, s.io().rssKey());
        assertEquals(5_000, s.scheduler().intervalNanos());
        assertEquals("affinity", s.dispatch().policy());
        assertEquals(30_000_000_000L, s.dispatch().flowIdleTimeoutNanos());
        assertEquals(2_000_000, s.dispatch().migrationTableCapacity());
        assertEquals(0, DataplaneSettings.from(with("calisto.io.track-migrations = false")).dispatch().migrationTableCapacity());
        assertEquals("synthetic", s.run().port());
        assertEquals(10_000, s.control().eventHistory());
    }

    @Test
    void eachBadValueNamesItsKey() {
        assertEquals("calisto.io.burst must be in 1..1024, was 0", error("calisto.io.burst = 0"));
        assertEquals("calisto.io.idle-strategy must be one of busy-spin, yield, backoff, sleep; was 'spin'", error("calisto.io.idle-strategy = spin"));
        assertEquals("calisto.io.cpu must be >= -1, was -2", error("calisto.io.cpu = -2"));
        assertEquals("calisto.cores.pool is empty: the dataplane has no core to give", error("calisto.cores.pool = []"));
        assertEquals("calisto.cores.pool lists a core twice: [0, 1, 0]", error("calisto.cores.pool = [0, 1, 0]"));
        assertEquals("calisto.cores.pool entries must be core ids in 0..255, has 256", error("calisto.cores.pool = [256]"));
        assertEquals("calisto.cores.cpus must be empty or list one CPU per pool core (8), has 2", error("calisto.cores.cpus = [0, 1]"));
        assertEquals("calisto.cores.burstable must be >= 2, was 1", error("calisto.cores.guaranteed = 2\ncalisto.cores.burstable = 1"));
        assertEquals("calisto.scheduler.interval must be positive, was 0", error("calisto.scheduler.interval = 0"));
        assertEquals("calisto.dispatch.policy must be one of modulo, affinity, affinity-held, affinity-rebind, affinity-published, affinity-prefill, affinity-hybrid, buckets; was 'random'",
            error("calisto.dispatch.policy = random"));
        assertEquals("calisto.dispatch.order-buckets must be a power of two >= 1, was 1000", error("calisto.dispatch.order-buckets = 1000"));
        assertEquals("calisto.dispatch.flow-table-capacity must be in 1..134217728, was 0", error("calisto.dispatch.flow-table-capacity = 0"));
        assertEquals("calisto.io.max-frame must be in 64..2048, was 8192", error("calisto.io.max-frame = 8192"));
        assertEquals("calisto.aeron.mtu must be a multiple of 32 in 4096..65504, was 1024", error("calisto.aeron.mtu = 1k"));
        assertEquals("calisto.run.port must be synthetic, pcap or dpdk, was 'nic'", error("calisto.run.port = nic"));
        assertEquals("calisto.control.event-history must be >= 0, was -1", error("calisto.control.event-history = -1"));
    }

    @Test
    void durationsNeedAUnitAndPekkoAndAeronLimitsAreCheckedHere() {
        assertEquals("calisto.run.duration needs a unit (e.g. 10s, 500ms), was '10'", error("calisto.run.duration = 10"));
        assertEquals("calisto.scheduler.interval needs a unit (e.g. 10s, 500ms), was '5'", error("calisto.scheduler.interval = \"5\""));
        assertEquals("calisto.dispatch.flow-idle-timeout needs a unit (e.g. 10s, 500ms), was '30'", error("calisto.dispatch.flow-idle-timeout = 30"));
        assertEquals("calisto.core-dispatcher.type must be Dispatcher, PinnedDispatcher, BalancingDispatcher or a configurator class, was 'Nope'",
            error("calisto.core-dispatcher.type = Nope"));
        assertEquals("calisto.aeron.term-length must be a power of two in 64k..1g, was 2147483648", error("calisto.aeron.term-length = 2g"));
        DataplaneSettings.from(with("calisto.aeron.term-length = 1g\ncalisto.run.drain-timeout = 0"));
    }

    @Test
    void theNewPoliciesKeysAreTypedAndChecked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        DataplaneSettings.Dispatch d = DataplaneSettings.from(with("")).dispatch();
        assertEquals(4096, d.buckets());
        assertEquals(1_000_000, d.bucketsRebalanceNanos());
        assertEquals(0, d.prefill().size());
        assertEquals("calisto.dispatch.buckets must be a power of two in 1..1048576, was 100", error("calisto.dispatch.buckets = 100"));
        assertEquals("calisto.dispatch.buckets-rebalance-interval needs a unit (e.g. 10s, 500ms), was '5'", error("calisto.dispatch.buckets-rebalance-interval = 5"));
        assertEquals(0, DataplaneSettings.from(with("calisto.dispatch.buckets-rebalance-interval = 0")).dispatch().bucketsRebalanceNanos());
        java.nio.file.Path f = dir.resolve("flows.txt");
        java.nio.file.Files.writeString(f, "0x10 2\nudp 10.0.0.2 5000 10.0.0.1 7 3\n");
        var p = DataplaneSettings.from(with("calisto.dispatch.prefill-file = \"" + f + "\"")).dispatch().prefill();
        assertEquals(2, p.size());
        assertEquals(3, p.core(1));
        java.nio.file.Files.writeString(f, "0x10 2\n0x11 12\n");
        assertEquals(f + ":2: core 12 is not in calisto.cores.pool [0, 1, 2, 3, 4, 5, 6, 7]", error("calisto.dispatch.prefill-file = \"" + f + "\""));
        assertEquals("calisto.dispatch.prefill-file lists 2 flows; calisto.dispatch.flow-table-capacity is 1",
            error("calisto.dispatch.prefill-file = \"" + f + "\"\ncalisto.cores.pool = [2, 12]\ncalisto.dispatch.flow-table-capacity = 1"));
    }

    @Test
    void anUnknownCalistoKeyIsReported() {
        assertEquals("calisto.dispatch.polcy is not a setting (no module's reference.conf has it; README, \"Configuration\", lists them)",
            error("calisto.dispatch.polcy = modulo"));
        // dispatchers take any executor setting
        DataplaneSettings.from(with("calisto.management-dispatcher.thread-pool-executor.keep-alive-time = 30s"));
    }

    @Test
    void keysOtherOwnersReadLaterAreCheckedHereToo() {
        assertEquals("calisto.core.poll-batch must be >= 1, was 0", error("calisto.core.poll-batch = 0"));
        assertEquals("calisto.core.park-after needs a unit (e.g. 10s, 500ms), was '10'", error("calisto.core.park-after = 10"));
        assertEquals("calisto.core.park-after must be >= 0, was -1us", error("calisto.core.park-after = -1us"));
        assertEquals("calisto.demo.match: unknown match rule key 'nope' (dst-mac, dst-ip, proto, dst-port)", error("calisto.demo.match = \"nope=1\""));
        assertEquals("calisto.demo.service-time-ns must be >= 0, was -1", error("calisto.demo.service-time-ns = -1"));
        assertEquals("calisto.core-dispatcher.executor must be default-executor, fork-join-executor, thread-pool-executor, virtual-thread-executor, "
            + "affinity-pool-executor or a configurator class, was 'nope'", error("calisto.core-dispatcher.executor = nope"));
        assertEquals("calisto.synthetic.flows must be in 1..16777216, was 0", error("calisto.synthetic.flows = 0"));
        assertEquals("calisto.pcap.loops must be >= 1, was 0", error("calisto.run.port = pcap\ncalisto.pcap.in = x.pcap\ncalisto.pcap.loops = 0"));
        assertEquals("calisto.dpdk.mempool-cache must be in 0..512, was 1000", error("calisto.run.port = dpdk\ncalisto.dpdk.mempool-cache = 1000"));
        assertEquals("calisto.shutdown.timeout must be positive, was 0", error("calisto.shutdown.timeout = 0"));
        // the demo's limits against the pool: only where the demo app runs (run, serve --echo)
        var e = assertThrows(IllegalArgumentException.class, () -> DataplaneSettings.from(with("calisto.cores.burstable = 9")).cores().checkDemoFits());
        assertEquals("calisto.cores.burstable must be at most the pool's 8 cores (calisto.cores.pool), was 9", e.getMessage());
    }

    @Test
    void anUnknownKeyGivenAsASystemPropertyIsReportedToo() {
        System.setProperty("calisto.io.bursts", "3");
        try {
            ConfigFactory.invalidateCaches();
            Config c = ConfigFactory.systemProperties().withFallback(ConfigFactory.defaultReference()).resolve();
            assertEquals("calisto.io.bursts is not a setting (no module's reference.conf has it; README, \"Configuration\", lists them)",
                assertThrows(IllegalArgumentException.class, () -> DataplaneSettings.from(c)).getMessage());
        } finally {
            System.clearProperty("calisto.io.bursts");
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void anExternalDriverMustBeRunningWhenTheDataplaneStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        String dir = "/dev/shm/calisto-settingstest-" + ProcessHandle.current().pid();
        String external = "calisto.aeron.embedded-driver = false\ncalisto.aeron.driver-timeout = 1s\ncalisto.aeron.dir = \"" + dir + "\"";
        assertEquals("calisto.aeron.embedded-driver = false but no media driver runs on " + dir + " (no cnc.dat): start one there first, or set "
            + "calisto.aeron.embedded-driver = true", error(external));
        try (io.calisto.aeron.EmbeddedDriver driver = io.calisto.aeron.EmbeddedDriver.launch(dir)) {
            assertEquals(1000, DataplaneSettings.from(with(external)).aeron().driverTimeoutMs());
        }
        // a dead driver's cnc.dat (no heartbeat)
        String dead = tmp.resolve("dead").toString();
        java.nio.file.Files.createDirectories(tmp.resolve("dead"));
        java.nio.file.Files.write(tmp.resolve("dead/cnc.dat"), new byte[4096]);
        assertEquals("calisto.aeron.embedded-driver = false but the media driver of " + dead + " is not running (no heartbeat in cnc.dat within "
            + "calisto.aeron.driver-timeout = 1000ms)", error("calisto.aeron.embedded-driver = false\ncalisto.aeron.driver-timeout = 1s\ncalisto.aeron.dir = \"" + dead + "\""));
    }
}
