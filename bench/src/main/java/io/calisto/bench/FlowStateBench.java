package io.calisto.bench;

import io.calisto.control.experiment.FlowStateApp;
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
 * What a flow migration costs the experiment's server app: a request of a flow whose state lives on this core
 * ({@code resident}) against the first request of a flow on a core that has not served it ({@code migrated}: the
 * state is built there). Their difference is the simulator's migration cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class FlowStateBench {
    @Param({"700000"})
    int flows;

    @Param({"64"})
    int bytesPerFlow;

    private FlowStateApp resident, migrated;
    private int[] hashes;
    private int next, fresh;

    @Setup
    public void setup() {
        hashes = new SplittableRandom(5).ints(flows).toArray();
        resident = FlowStateApp.forBench(flows, bytesPerFlow);
        for (int h : hashes) resident.touch(h);
        migrated = FlowStateApp.forBench(flows, bytesPerFlow);
    }

    @Benchmark
    public int resident() {
        int h = hashes[next];
        next = next + 1 == hashes.length ? 0 : next + 1;
        return resident.touch(h);
    }

    @Benchmark
    public int migrated() {
        // every call is a flow this core has never served; the table is rebuilt when full (amortised, ~1 ns/op)
        if (fresh == flows) {
            migrated = FlowStateApp.forBench(flows, bytesPerFlow);
            fresh = 0;
        }
        return migrated.touch(0x9E3779B9 * ++fresh);
    }
}
