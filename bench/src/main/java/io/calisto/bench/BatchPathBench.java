package io.calisto.bench;

import io.calisto.io.kernel.IoKernel;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The IO core's path alone, as a DPDK port feeds it: pre-built 64-byte UDP frames of 700k flows sit in fake mbufs
 * (the 22.11 field offsets DpdkPort reads), and each op is one {@link IoKernel#doWork()} over a zero-copy burst of
 * 32 of them (parse → software Toeplitz → classify → policy → order barrier → Aeron claim), nothing generated in
 * the measured loop. Migration tracking is on as in production ({@code calisto.io.track-migrations = true}) unless
 * {@code migrations=0}. A drainer thread consumes the core streams and moves the slots' positions as a core-actor
 * would. {@code -prof gc}: B/op of the IO path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx1g"})
public class BatchPathBench {
    @Param({"modulo", "affinity"})
    String policy;

    @Param({"2000000"})
    int migrations;

    @Param({"16"})
    int migrationSample;

    @Param({"2"})
    int cores;

    @Param({"true"})
    boolean batching;

    private BatchPathRig rig;

    @Setup
    public void setup() {
        rig = new BatchPathRig(policy, migrations, migrationSample, cores);
        rig.kernel.batching(batching);
        rig.startDrainer();
    }

    @Benchmark
    public int burst() { return rig.kernel.doWork(); }

    @TearDown
    public void tearDown() throws Exception {
        rig.close();
        // back pressure makes a burst cheaper (a drop instead of a copy): show how much of the run it was
        System.out.printf("%nreceived %d dropped %d%n", rig.kernel.received(), rig.kernel.droppedTotal());
    }
}
