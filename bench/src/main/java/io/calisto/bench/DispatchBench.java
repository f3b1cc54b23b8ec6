package io.calisto.bench;

import io.calisto.io.dispatch.ActiveCores;
import io.calisto.io.dispatch.AffinityTablePolicy;
import io.calisto.io.dispatch.BucketsPolicy;
import io.calisto.io.dispatch.CoreProgress;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.dispatch.HybridPolicy;
import io.calisto.io.dispatch.Prefill;
import io.calisto.io.dispatch.ModuloPolicy;
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
 * Cost of the dispatch decision per packet, Shenango's modulo vs Calisto's affinity table, over the paper's
 * 700k flows on 10 cores. {@code warm} replays flows already in the table (steady state); the paper's warm-up cost
 * (lookup + insert per new flow) is {@code insert}. Run with {@code -prof gc} to see 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class DispatchBench {
    @Param({"700000"})
    int flows;

    @Param({"10"})
    int cores;

    private int[] hashes;
    private int next;
    private ModuloPolicy modulo;
    private AffinityTablePolicy affinity;
    private AffinityTablePolicy fresh;
    private int freshKey;
    private DispatchPolicy prefill;
    private HybridPolicy hybrid;
    private BucketsPolicy buckets;
    private long now;

    @Setup
    public void setup() {
        ActiveCores active = new ActiveCores();
        for (int i = 0; i < cores; i++) active.add(i);
        hashes = new SplittableRandom(42).ints(flows).toArray();
        modulo = new ModuloPolicy(active);
        // the production table: entries age out after calisto.dispatch.flow-idle-timeout's default, so every hit
        // refreshes its entry's timestamp
        long idleTimeout = TimeUnit.SECONDS.toNanos(30);
        affinity = new AffinityTablePolicy(active, flows, AffinityTablePolicy.Mode.PAPER, idleTimeout);
        for (int h : hashes) affinity.coreFor(h, 0);
        fresh = new AffinityTablePolicy(active, flows, AffinityTablePolicy.Mode.PAPER, idleTimeout);
        int[] coreOf = new int[flows];
        for (int i = 0; i < flows; i++) coreOf[i] = i % cores;
        prefill = DispatchPolicy.create("affinity-prefill", active,
            new DispatchPolicy.Options(flows, idleTimeout, 4096, 1_000_000, new Prefill(hashes, coreOf)));
        hybrid = new HybridPolicy(active, flows, idleTimeout);
        buckets = new BucketsPolicy(active, BucketsPolicy.DEFAULT_BUCKETS, BucketsPolicy.DEFAULT_REBALANCE_NANOS);
        // the positions the IO core hands them: nothing in flight (completed = published), read as on the IO thread
        long[] published = new long[64];
        CoreProgress positions = new CoreProgress() {
            @Override public long published(int core) { return published[core]; }
            @Override public long completed(int core) { return published[core]; }
        };
        hybrid.progress(positions);
        buckets.progress(positions);
        for (int h : hashes) {
            prefill.coreFor(h, 0);
            hybrid.coreFor(h, 0);
            hybrid.coreFor(h, 0);
        }
    }


    private int nextHash() {
        int i = next++;
        if (next == hashes.length) next = 0;
        return hashes[i];
    }

    @Benchmark
    public int modulo() { return modulo.coreFor(nextHash(), 0); }

    @Benchmark
    public int affinityWarm() { return affinity.coreFor(nextHash(), 0); }

    @Benchmark
    public int affinityInsert() {
        // every call is a new flow (lookup miss + insert); a full table is emptied (~1 ns/op amortised) so the
        // benchmark never measures the modulo fallback instead
        if (fresh.tableSize() == flows) fresh.clear();
        return fresh.coreFor(freshKey++ * 0x9E3779B9, 0);
    }

    @Benchmark
    public int prefillWarm() { return prefill.coreFor(nextHash(), 0); }

    @Benchmark
    public int hybridWarm() { return hybrid.coreFor(nextHash(), 0); }

    /** Per packet plus the IO loop's tick once per packet (the 1 ms load rebalance amortised over the packets). */
    @Benchmark
    public int buckets() {
        now += 100; // 10 Mpps of virtual time: a rebalance every 10,000 packets
        buckets.tick(now);
        return buckets.coreFor(nextHash(), now);
    }
}
