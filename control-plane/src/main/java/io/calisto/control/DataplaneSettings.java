package io.calisto.control;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.DirectoryAccess;
import io.calisto.aeron.ConfigDurations;
import io.calisto.aeron.EmbeddedDriver;
import io.calisto.aeron.ExternalDriver;
import io.calisto.aeron.IdleStrategies;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.aeron.ffm.CpuAffinity;
import io.calisto.io.dispatch.BucketsPolicy;
import io.calisto.core.CoreSettings;
import io.calisto.core.demo.EchoApp;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.dispatch.FlowTable;
import io.calisto.io.dispatch.Prefill;
import io.calisto.io.port.RxBatch;
import io.calisto.io.rss.Toeplitz;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The dataplane's configuration ({@code calisto.*}), read and checked once, before anything starts (media driver, IO
 * thread, actor system): {@link #from} is the only place that reads these keys, and everything after it gets numbers.
 * A bad value is an {@link IllegalArgumentException} naming its key, and so is a key under {@code calisto} that no
 * module's reference.conf defines (a typo would otherwise be ignored); the CLI prints either as one line, exit 2.
 *
 * <p>Values other owners read later are checked here too, by their owners' own code, so that nothing is left behind by a
 * start that fails half way (an Aeron directory, an EAL): the port's ({@code calisto.synthetic}, {@code pcap},
 * {@code dpdk}: {@link Ports#check}), the core-actors' ({@code calisto.core}: {@link CoreSettings}, which the app's
 * runtime reads again from its own actor system), the demo app's ({@code calisto.demo}) and the shutdown watchdog's.
 * Only {@code serve}'s and {@code ctl}'s own keys are checked by those commands.
 */
public record DataplaneSettings(Io io, Cores cores, Scheduler scheduler, Dispatch dispatch, Aeron aeron, Run run, Control control) {

    /** {@code calisto.io}: the IO thread. {@code rssKey} is the Toeplitz key (the Microsoft key when the setting is empty). */
    public record Io(int burst, String idleStrategy, int cpu, byte[] rssKey, boolean trackMigrations, int maxFrame) {}

    /**
     * {@code calisto.cores}: the pool of core ids apps are granted, the CPU each pool core's core-actors are pinned to
     * (empty: none), and the demo app's limits.
     */
    public record Cores(int[] pool, int[] cpus, int guaranteed, int burstable) {
        /**
         * The demo app's limits fit the pool: {@code run} and {@code serve --echo} call it before anything starts
         * (other commands register their own apps with their own limits).
         */
        public void checkDemoFits() {
            if (burstable > pool.length) {
                throw new IllegalArgumentException("calisto.cores.burstable must be at most the pool's " + pool.length + " cores (calisto.cores.pool), was " + burstable);
            }
        }

        /** The CPU the core-actors of the {@code i}-th pool core are pinned to, -1 for none. */
        public int cpuOf(int i) { return cpus.length == 0 ? -1 : cpus[i]; }

        /** The highest core id in the pool. */
        public int maxCore() { return Arrays.stream(pool).max().orElse(0); }
    }

    /** {@code calisto.scheduler}: how often the IO core checks every app for congestion. */
    public record Scheduler(long intervalNanos) {}

    /**
     * {@code calisto.dispatch}: each app's policy and flow table. {@code flowIdleTimeoutNanos} is
     * {@link FlowTable#NEVER} for {@code off}.
     */
    public record Dispatch(String policy, int flowTableCapacity, long flowIdleTimeoutNanos, int migrationTableCapacity, int orderBuckets,
                           int buckets, long bucketsRebalanceNanos, Prefill prefill, int migrationSample) {
        /** What every app's policy is built with (also a policy swapped in later). */
        public DispatchPolicy.Options options() {
            return new DispatchPolicy.Options(flowTableCapacity, flowIdleTimeoutNanos, buckets, bucketsRebalanceNanos, prefill);
        }
    }

    /**
     * {@code calisto.aeron}: the directory (resolved: a per-process one when the setting is empty), who may open it
     * besides the dataplane's user, the IPC channel, and with an external driver how long its heartbeat may be silent
     * ({@code driver-timeout}, ms).
     */
    public record Aeron(String dir, boolean embeddedDriver, DirectoryAccess access, Streams streams,
                        long clientLivenessNanos, long driverTimeoutNanos, long closeLingerNanos) {
        /** With an external driver, how long its heartbeat may be silent (ms), at start and while running. */
        public long driverTimeoutMs() { return driverTimeoutNanos / 1_000_000; }
    }

    /** {@code calisto.run}: {@code run}'s duration, the longest drain, the port kind. */
    public record Run(Duration duration, Duration drainTimeout, String port) {}

    /**
     * {@code calisto.control}: core events the control plane keeps for GetEvents; most apps at once; how long an app in
     * another JVM may stay registered without its core-actors ready before it is evicted.
     */
    public record Control(int eventHistory, int maxApps, Duration pendingTimeout) {}

    /** Ports {@code calisto.run.port} may name. */
    public static final List<String> PORTS = List.of("synthetic", "pcap", "dpdk");

    /** Subtrees whose keys are not all in reference.conf: Pekko dispatchers take any executor setting, Kryo ids grow. */
    private static final List<String> OPEN = List.of("calisto.core-dispatcher.", "calisto.management-dispatcher.", "calisto.serialization.");

    /** Reads and checks every dataplane key of {@code config} (reference.conf defaults merged in); see the class comment. */
    public static DataplaneSettings from(Config config) {
        checkKnownKeys(config);
        for (String d : List.of("calisto.core-dispatcher", "calisto.management-dispatcher")) {
            dispatcherType(config, d);
            dispatcherExecutor(config, d);
        }
        Io io = io(config);
        Cores cores = cores(config);
        Run run = new Run(positive(config, "calisto.run.duration"), nonNegative(config, "calisto.run.drain-timeout"), port(config));
        DataplaneSettings settings = new DataplaneSettings(io, cores,
            new Scheduler(positive(config, "calisto.scheduler.interval").toNanos()),
            dispatch(config, io, cores), aeron(config), run, control(config));
        // read later by other owners, checked now: the core-actors of local apps, the demo app, the port, the watchdog
        realtimeCores(CoreSettings.from(config).realtimePriority(), io, cores);
        demo(config);
        shutdownTimeout(config);
        Ports.check(config);
        return settings;
    }

    /** {@code calisto.dispatch} alone, checked as {@link #from} checks it (the flows command builds a policy without a dataplane). */
    public static Dispatch dispatchOf(Config config) {
        Io io = io(config);
        return dispatch(config, io, cores(config));
    }

    /** {@code calisto.shutdown.timeout}: how long stopping may take before the watchdog ends the process. */
    public static Duration shutdownTimeout(Config config) {
        return positive(config, "calisto.shutdown.timeout");
    }

    /** {@code calisto.demo}: the echo app's match rule and service time. */
    private static void demo(Config c) {
        try {
            MatchRule.parse(c.getString("calisto.demo.match"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("calisto.demo.match: " + e.getMessage());
        }
        EchoApp.spec(c.getConfig("calisto.demo"));
    }

    private static Io io(Config c) {
        int burst = c.getInt("calisto.io.burst");
        if (burst < 1 || burst > 1024) throw new IllegalArgumentException("calisto.io.burst must be in 1..1024, was " + burst);
        String idle = c.getString("calisto.io.idle-strategy");
        IdleStrategies.of("calisto.io.idle-strategy", idle);
        int cpu = atLeast(c, "calisto.io.cpu", -1);
        // a CPU that cannot be had must fail here, in one line, not later inside the IO thread
        if (cpu >= 0) CpuAffinity.check(cpu, "calisto.io.cpu");
        int maxFrame = c.getInt("calisto.io.max-frame");
        if (maxFrame < 64 || maxFrame > RxBatch.SLOT_BYTES) {
            throw new IllegalArgumentException("calisto.io.max-frame must be in 64.." + RxBatch.SLOT_BYTES + ", was " + maxFrame);
        }
        return new Io(burst, idle, cpu, Toeplitz.parseKey(c.getString("calisto.io.rss-key")), c.getBoolean("calisto.io.track-migrations"), maxFrame);
    }

    private static Cores cores(Config c) {
        int[] pool = c.getIntList("calisto.cores.pool").stream().mapToInt(Integer::intValue).toArray();
        if (pool.length == 0) throw new IllegalArgumentException("calisto.cores.pool is empty: the dataplane has no core to give");
        for (int core : pool) {
            if (core < 0 || core >= Streams.MAX_CORES) {
                throw new IllegalArgumentException("calisto.cores.pool entries must be core ids in 0.." + (Streams.MAX_CORES - 1) + ", has " + core);
            }
        }
        if (Arrays.stream(pool).distinct().count() != pool.length) throw new IllegalArgumentException("calisto.cores.pool lists a core twice: " + Arrays.toString(pool));
        int[] cpus = c.getIntList("calisto.cores.cpus").stream().mapToInt(Integer::intValue).toArray();
        if (cpus.length != 0 && cpus.length != pool.length) {
            throw new IllegalArgumentException("calisto.cores.cpus must be empty or list one CPU per pool core (" + pool.length + "), has " + cpus.length);
        }
        for (int cpu : cpus) CpuAffinity.check(cpu, "calisto.cores.cpus entry");
        // checked against the pool when the demo app registers (its limits may be set for a pool given later)
        int guaranteed = atLeast(c, "calisto.cores.guaranteed", 0);
        int burstable = atLeast(c, "calisto.cores.burstable", Math.max(1, guaranteed));
        return new Cores(pool, cpus, guaranteed, burstable);
    }

    /**
     * A SCHED_FIFO core-actor that does not block starves every ordinary thread of its CPU (the kernel's RT throttling
     * leaves them 5%): the IO thread's CPU, or another core-actor's, must not be one of them.
     */
    private static void realtimeCores(int priority, Io io, Cores cores) {
        if (priority == 0) return;
        String why = "calisto.core.realtime-priority = " + priority + " needs calisto.cores.cpus to pin each pool core to a CPU of its own";
        if (cores.cpus().length == 0) throw new IllegalArgumentException(why + "; it is empty");
        if (Arrays.stream(cores.cpus()).distinct().count() != cores.cpus().length) {
            throw new IllegalArgumentException(why + "; it lists a CPU twice: " + Arrays.toString(cores.cpus()));
        }
        if (io.cpu() >= 0 && Arrays.stream(cores.cpus()).anyMatch(cpu -> cpu == io.cpu())) {
            throw new IllegalArgumentException(why + ", not the IO thread's (calisto.io.cpu = " + io.cpu() + "); it has " + Arrays.toString(cores.cpus()));
        }
    }

    private static Dispatch dispatch(Config c, Io io, Cores cores) {
        String policy = c.getString("calisto.dispatch.policy");
        if (!DispatchPolicy.NAMES.contains(policy)) {
            throw new IllegalArgumentException("calisto.dispatch.policy must be one of " + String.join(", ", DispatchPolicy.NAMES) + "; was '" + policy + "'");
        }
        int table = c.getInt("calisto.dispatch.flow-table-capacity");
        if (table < 1 || table > FlowTable.MAX_CAPACITY) {
            throw new IllegalArgumentException("calisto.dispatch.flow-table-capacity must be in 1.." + FlowTable.MAX_CAPACITY + ", was " + table);
        }
        int migrations = io.trackMigrations() ? c.getInt("calisto.dispatch.migration-table-capacity") : 0;
        if (io.trackMigrations() && (migrations < 1 || migrations > FlowTable.MAX_CAPACITY)) {
            throw new IllegalArgumentException("calisto.dispatch.migration-table-capacity must be in 1.." + FlowTable.MAX_CAPACITY + ", was " + migrations);
        }
        int buckets = c.getInt("calisto.dispatch.order-buckets");
        if (buckets < 1 || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("calisto.dispatch.order-buckets must be a power of two >= 1, was " + buckets);
        }
        int policyBuckets = c.getInt("calisto.dispatch.buckets");
        if (policyBuckets < 1 || policyBuckets > BucketsPolicy.MAX_BUCKETS || Integer.bitCount(policyBuckets) != 1) {
            throw new IllegalArgumentException("calisto.dispatch.buckets must be a power of two in 1.." + BucketsPolicy.MAX_BUCKETS + ", was " + policyBuckets);
        }
        long rebalance = nonNegative(c, "calisto.dispatch.buckets-rebalance-interval").toNanos();
        // read even when another policy is configured: a swap to affinity-prefill later finds it checked
        String file = c.getString("calisto.dispatch.prefill-file").strip();
        Prefill prefill = file.isEmpty() ? Prefill.EMPTY : Prefill.read(java.nio.file.Path.of(file), new Toeplitz(io.rssKey()), cores.pool());
        if (prefill.size() > table) {
            throw new IllegalArgumentException("calisto.dispatch.prefill-file lists " + prefill.size() + " flows; calisto.dispatch.flow-table-capacity is " + table);
        }
        int sample = c.getInt("calisto.dispatch.migration-sample");
        if (sample < 1 || sample > 1 << 16 || Integer.bitCount(sample) != 1) {
            throw new IllegalArgumentException("calisto.dispatch.migration-sample must be a power of two in 1..65536, was " + sample);
        }
        return new Dispatch(policy, table, flowIdleTimeoutNanos(c), migrations, buckets, policyBuckets, rebalance, prefill, sample);
    }

    /** (A frame always fits one IPC fragment: max-frame is at most 2048 bytes, the MTU at least 4096.) */
    private static Aeron aeron(Config c) {
        Config aeron = c.getConfig("calisto.aeron");
        String dir = EmbeddedDriver.directory(aeron);
        boolean embedded = aeron.getBoolean("embedded-driver");
        Streams streams = Streams.from(aeron);
        DirectoryAccess access = DirectoryAccess.from(aeron);
        Duration timeout = positive(c, "calisto.aeron.driver-timeout");
        // an external driver must be there and alive now: Aeron's client would wait 10 s and then throw
        if (!embedded) ExternalDriver.check(dir, timeout.toMillis());
        // the embedded driver deletes its directory on start: a user's directory or a live driver's is refused here, before the port opens
        if (embedded) {
            try {
                EmbeddedDriver.checkDirectory(dir);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("calisto.aeron.dir: " + e.getMessage());
            }
        }
        long liveness = atLeastMs(aeron, "client-liveness-timeout"), driverTimeout = atLeastMs(aeron, "driver-timeout");
        long linger = aeron.getDuration("close-linger").toNanos();
        if (linger < 0) throw new IllegalArgumentException("calisto.aeron.close-linger must not be negative, was " + aeron.getString("close-linger"));
        return new Aeron(dir, embedded, access, streams, liveness, driverTimeout, linger);
    }

    private static long atLeastMs(Config aeron, String key) {
        long n = aeron.getDuration(key).toNanos();
        if (n < 1_000_000) throw new IllegalArgumentException("calisto.aeron." + key + " must be at least 1ms, was " + aeron.getString(key));
        return n;
    }

    private static Control control(Config c) {
        int maxApps = c.getInt("calisto.control.max-apps");
        if (maxApps < 1 || maxApps > Streams.MAX_APPS) {
            throw new IllegalArgumentException("calisto.control.max-apps must be in 1.." + Streams.MAX_APPS + ", was " + maxApps);
        }
        return new Control(atLeast(c, "calisto.control.event-history", 0), maxApps, positive(c, "calisto.control.pending-timeout"));
    }

    private static String port(Config c) {
        String port = c.getString("calisto.run.port");
        if (!PORTS.contains(port)) throw new IllegalArgumentException("calisto.run.port must be synthetic, pcap or dpdk, was '" + port + "'");
        return port;
    }

    /**
     * {@code calisto.dispatch.flow-idle-timeout} in nanoseconds: a positive duration of at most about 13 days, or
     * {@code off} ({@link FlowTable#NEVER}: entries never expire). Anything else is an {@link IllegalArgumentException}
     * naming the key.
     */
    public static long flowIdleTimeoutNanos(Config config) {
        String key = "calisto.dispatch.flow-idle-timeout";
        Object raw = config.getValue(key).unwrapped();
        if (raw instanceof String s && s.strip().equalsIgnoreCase("off")) return FlowTable.NEVER;
        Duration d;
        try {
            d = duration(config, key);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(key + " must be a duration (e.g. 30s) or off, was '" + raw + "'");
        }
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(key + " must be positive (or off: never expire), was '" + raw + "'");
        if (d.compareTo(Duration.ofNanos(FlowTable.MAX_IDLE_TIMEOUT_NANOS)) > 0) {
            throw new IllegalArgumentException(key + " must be at most " + Duration.ofNanos(FlowTable.MAX_IDLE_TIMEOUT_NANOS).toHours()
                + "h (or off: never expire), was '" + raw + "'");
        }
        return d.toNanos();
    }

    /**
     * Every key under {@code calisto} must be one a module's reference.conf defines (the merged reference of the
     * classpath), but in {@link #OPEN} subtrees: a misspelt key would otherwise leave its default in force silently.
     */
    static void checkKnownKeys(Config config) {
        if (!config.hasPath("calisto")) return;
        // the reference.conf files alone: ConfigFactory.defaultReference() has the system properties merged in, so
        // -Dcalisto.io.bursts=3 would count as defined
        Config reference = ConfigFactory.parseResources(DataplaneSettings.class.getClassLoader(), "reference.conf").resolve();
        for (var e : config.getConfig("calisto").entrySet()) {
            String key = "calisto." + e.getKey();
            if (OPEN.stream().anyMatch(key::startsWith) || reference.hasPathOrNull(key)) continue;
            throw new IllegalArgumentException(key + " is not a setting (no module's reference.conf has it; README, \"Configuration\", lists them)");
        }
    }

    /**
     * A Pekko dispatcher's {@code type}: one Pekko knows, or a class it can load. Pekko itself finds out only when the
     * first actor is created on it, after the media driver and IO thread started, and logs a stack trace.
     */
    private static void dispatcherType(Config c, String dispatcher) {
        String key = dispatcher + ".type";
        if (!c.hasPath(key)) return;
        String type = c.getString(key);
        if (List.of("Dispatcher", "PinnedDispatcher", "BalancingDispatcher").contains(type)) return;
        try {
            Class.forName(type, false, DataplaneSettings.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(key + " must be Dispatcher, PinnedDispatcher, BalancingDispatcher or a configurator class, was '" + type + "'");
        }
    }

    /**
     * A Pekko dispatcher's {@code executor}: one Pekko knows or a class it can load (Pekko finds out only when the first
     * actor runs on it, after everything started, and the app's core-actors then fail with a stack trace).
     */
    private static void dispatcherExecutor(Config c, String dispatcher) {
        String key = dispatcher + ".executor";
        if (!c.hasPath(key)) return;
        String executor = c.getString(key);
        if (List.of("default-executor", "fork-join-executor", "thread-pool-executor", "virtual-thread-executor", "affinity-pool-executor").contains(executor)) return;
        try {
            Class.forName(executor, false, DataplaneSettings.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(key + " must be default-executor, fork-join-executor, thread-pool-executor, virtual-thread-executor, "
                + "affinity-pool-executor or a configurator class, was '" + executor + "'");
        }
    }

    private static int atLeast(Config c, String key, int min) {
        int v = c.getInt(key);
        if (v < min) throw new IllegalArgumentException(key + " must be >= " + min + ", was " + v);
        return v;
    }

    /**
     * {@code key} as a duration with a unit: HOCON reads a bare number as milliseconds, so {@code duration = 10} would
     * be 10 ms; a bare number other than 0 is refused, naming the key.
     */
    static Duration duration(Config c, String key) { return ConfigDurations.withUnit(c, key); }

    private static Duration positive(Config c, String key) {
        Duration d = duration(c, key);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(key + " must be positive, was " + c.getValue(key).unwrapped());
        return d;
    }

    private static Duration nonNegative(Config c, String key) {
        Duration d = duration(c, key);
        if (d.isNegative()) throw new IllegalArgumentException(key + " must be >= 0, was " + c.getValue(key).unwrapped());
        return d;
    }
}
