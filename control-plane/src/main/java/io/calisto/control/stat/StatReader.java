package io.calisto.control.stat;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.CounterTypes;
import io.calisto.aeron.DropReason;
import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Reads the dataplane's counters from outside its process, as Aeron's AeronStat does: maps the cnc file of the Aeron
 * directory and walks its counters with {@link CountersReader} (nothing here writes to it). No Aeron client, no
 * connection to the media driver or the dataplane. Everything is recovered from the counters' type ids and keys
 * ({@link CounterTypes}), never from labels.
 */
public final class StatReader implements AutoCloseable {
    /** The directory holds no live dataplane: the message is the one line the CLI prints. */
    public static final class NoDataplane extends RuntimeException {
        public NoDataplane(String message) { super(message, null, false, false); }
    }

    private final Path dir;
    private final Path cnc;
    private final MappedByteBuffer mapped;
    private final CountersReader counters;
    private final ManyToOneRingBuffer toDriver;
    private final long pid;

    private StatReader(Path dir) {
        this.dir = dir;
        this.cnc = dir.resolve(CncFileDescriptor.CNC_FILE);
        if (!Files.isRegularFile(cnc)) throw new NoDataplane("no dataplane at " + dir + " (no " + CncFileDescriptor.CNC_FILE + ")");
        File file = cnc.toFile();
        try {
            this.mapped = IoUtil.mapExistingFile(file, CncFileDescriptor.CNC_FILE);
        } catch (RuntimeException e) {
            throw new NoDataplane("no dataplane at " + dir + " (cannot map " + CncFileDescriptor.CNC_FILE + ": " + e.getMessage() + ")");
        }
        try {
            AtomicBuffer meta = CncFileDescriptor.createMetaDataBuffer(mapped);
            int version = meta.getIntVolatile(CncFileDescriptor.cncVersionOffset(0));
            if (version == 0) throw new NoDataplane("no dataplane at " + dir + " (" + CncFileDescriptor.CNC_FILE + " is not ready yet)");
            try {
                CncFileDescriptor.checkVersion(version);
            } catch (RuntimeException e) {
                throw new NoDataplane("no dataplane at " + dir + " (" + e.getMessage() + ")");
            }
            this.counters = new CountersReader(CncFileDescriptor.createCountersMetaDataBuffer(mapped, meta),
                CncFileDescriptor.createCountersValuesBuffer(mapped, meta));
            this.toDriver = new ManyToOneRingBuffer(CncFileDescriptor.createToDriverBuffer(mapped, meta));
            this.pid = CncFileDescriptor.pid(meta);
            long age = heartbeatAgeMs();
            if (age > CommonContext.DRIVER_TIMEOUT_MS) {
                throw new NoDataplane("no dataplane at " + dir + " (" + CncFileDescriptor.CNC_FILE + " is stale: its media driver was last seen "
                    + age / 1000 + " s ago)");
            }
        } catch (RuntimeException e) {
            IoUtil.unmap(mapped);
            throw e;
        }
    }

    /** Maps {@code dir}'s cnc file; {@link NoDataplane} when there is none, or no live media driver behind it. */
    public static StatReader open(Path dir) { return new StatReader(dir); }

    public Path directory() { return dir; }

    /** Process id of the media driver that owns the directory (the dataplane's, with the embedded driver). */
    public long driverPid() { return pid; }

    private long heartbeatAgeMs() { return System.currentTimeMillis() - toDriver.consumerHeartbeatTime(); }

    /**
     * True while the directory still holds this media driver's cnc file and the driver has been seen within Aeron's
     * driver timeout. A dataplane that exits deletes its directory: the mapping stays readable, so look here.
     */
    public boolean alive() {
        return heartbeatAgeMs() <= CommonContext.DRIVER_TIMEOUT_MS && Files.isRegularFile(cnc);
    }

    /** One pass over the counters file: the dataplane's counters, apps by id, cores ascending. */
    public CounterSnapshot read() {
        long[] portValues = new long[4];
        Map<Integer, Long> portDrops = new TreeMap<>();
        Map<Integer, AppBuilder> apps = new TreeMap<>();
        counters.forEach((CountersReader.MetaData) (id, type, key, label) -> {
            if (!CounterTypes.isCalisto(type)) return;
            long value = counters.getCounterValue(id);
            switch (type) {
                case CounterTypes.RX_PACKETS -> portValues[0] = value;
                case CounterTypes.TX_PACKETS -> portValues[1] = value;
                case CounterTypes.REPLIES -> portValues[2] = value;
                case CounterTypes.DROPS -> portDrops.put(CounterTypes.keyReason(key), value);
                default -> app(apps, key).put(type, CounterTypes.keyCore(key), CounterTypes.keyReason(key), value);
            }
        });
        List<CounterSnapshot.App> list = new ArrayList<>();
        // an app whose grants counter is missing is being added or removed: its other counters are not all there
        for (AppBuilder a : apps.values()) if (a.complete) list.add(a.build());
        return new CounterSnapshot(new CounterSnapshot.Port(portValues[0], portValues[1], portValues[2], drops(portDrops)), List.copyOf(list));
    }

    private static AppBuilder app(Map<Integer, AppBuilder> apps, DirectBuffer key) {
        int id = CounterTypes.keyApp(key);
        AppBuilder a = apps.get(id);
        if (a == null) apps.put(id, a = new AppBuilder(id, CounterTypes.keyName(key)));
        return a;
    }

    /** Drops by reason label, in {@link DropReason} order; a reason this build does not know keeps its ordinal. */
    private static Map<String, Long> drops(Map<Integer, Long> byOrdinal) {
        Map<String, Long> out = new LinkedHashMap<>();
        byOrdinal.forEach((r, n) -> out.put(r >= 0 && r < DropReason.count() ? DropReason.of(r).label() : "reason-" + r, n));
        return out;
    }

    private static final class AppBuilder {
        final int id;
        final String name;
        final Map<Integer, long[]> cores = new TreeMap<>(); // dispatched, delivered, queued, state
        final Map<Integer, Long> drops = new TreeMap<>();
        long grants, yields, preemptions, revokes, flows, expired, fallbacks, migrations;
        boolean complete;

        AppBuilder(int id, String name) {
            this.id = id;
            this.name = name;
        }

        void put(int type, int core, int reason, long value) {
            switch (type) {
                case CounterTypes.APP_CORE_DISPATCHED -> core(core)[0] = value;
                case CounterTypes.APP_CORE_DELIVERED -> core(core)[1] = value;
                case CounterTypes.APP_CORE_QUEUED -> core(core)[2] = value;
                case CounterTypes.APP_CORE_STATE -> core(core)[3] = value;
                case CounterTypes.APP_GRANTS -> {
                    grants = value;
                    complete = true;
                }
                case CounterTypes.APP_YIELDS -> yields = value;
                case CounterTypes.APP_PREEMPTIONS -> preemptions = value;
                case CounterTypes.APP_REVOKES -> revokes = value;
                case CounterTypes.APP_FLOWS -> flows = value;
                case CounterTypes.APP_EXPIRED -> expired = value;
                case CounterTypes.APP_FALLBACKS -> fallbacks = value;
                case CounterTypes.APP_MIGRATIONS -> migrations = value;
                case CounterTypes.APP_DROPS -> drops.put(reason, value);
                default -> { } // a type a newer dataplane added: ignored
            }
        }

        private long[] core(int core) { return cores.computeIfAbsent(core, c -> new long[4]); }

        CounterSnapshot.App build() {
            List<CounterSnapshot.Core> cs = new ArrayList<>();
            cores.forEach((core, v) -> cs.add(new CounterSnapshot.Core(core, v[0], v[1], v[2], CoreSlot.name((int) v[3]))));
            return new CounterSnapshot.App(name, id, List.copyOf(cs), grants, yields, preemptions, revokes, flows, expired, fallbacks,
                migrations, StatReader.drops(drops));
        }
    }

    @Override
    public void close() { IoUtil.unmap(mapped); }
}
