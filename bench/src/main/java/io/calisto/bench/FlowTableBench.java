package io.calisto.bench;

import io.calisto.io.dispatch.FlowTable;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link FlowTable} at the paper's 700k entries (the production table: 30 s idle timeout, so every hit refreshes a
 * timestamp): {@code hit} looks up flows in the table in a random order, {@code miss} flows that are not in it,
 * {@code insertEvict} puts a new flow and removes the oldest one (backward shift), so the table stays at 700k
 * entries; one op is that pair. Targets (issue 13): hit ≤ 20 ns, 0 B/op ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class FlowTableBench {
    @Param({"700000"})
    int entries;

    private static final long NOW = TimeUnit.SECONDS.toNanos(1);
    private FlowTable table;
    private int[] present, absent, churn;
    private int hitAt, missAt, inAt, outAt;

    @Setup
    public void setup() {
        // 2 x entries distinct keys: the first half fills the table, the second half never enters it
        int[] keys = new SplittableRandom(42).ints().distinct().limit(2L * entries).toArray();
        present = java.util.Arrays.copyOfRange(keys, 0, entries);
        absent = java.util.Arrays.copyOfRange(keys, entries, 2 * entries);
        table = new FlowTable(entries, TimeUnit.SECONDS.toNanos(30));
        for (int i = 0; i < entries; i++) table.put(present[i], i % 10, NOW);
        // lookups in an order unrelated to insertion: a cache miss per lookup, as packets of 700k flows give
        shuffle(present, new SplittableRandom(7));
        // insertEvict works on its own table of entries - 1, fed keys from a ring: insert churn[in], evict churn[out]
        churn = keys.clone();
        inAt = entries - 1;
        outAt = 0;
        churnTable = new FlowTable(entries, TimeUnit.SECONDS.toNanos(30));
        for (int i = 0; i < inAt; i++) churnTable.put(churn[i], i % 10, NOW);
    }

    private FlowTable churnTable;

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Benchmark
    public int hit() {
        int k = present[hitAt];
        if (++hitAt == present.length) hitAt = 0;
        return table.touch(k, NOW);
    }

    @Benchmark
    public int miss() {
        int k = absent[missAt];
        if (++missAt == absent.length) missAt = 0;
        return table.touch(k, NOW);
    }

    @Benchmark
    public int insertEvict() {
        boolean put = churnTable.put(churn[inAt], 1, NOW);
        int removed = churnTable.remove(churn[outAt]);
        if (++inAt == churn.length) inAt = 0;
        if (++outAt == churn.length) outAt = 0;
        return put ? removed : -2;
    }
}
