package io.calisto.bench;

import io.calisto.aeron.CoreSlot;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a core-actor pays per packet to claim it against a retirement (docs/decisions.md 44): {@code deliver}, a CAS
 * on the slot's delivered word that fails once the dataplane marked the slot retired, against {@code release}, the
 * ordered store it replaced. One thread, the slot's line in its own cache: the core-actor's case, where only the
 * dataplane's rare retire (or a stats read) touches the line from elsewhere.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class DeliverClaimBench {
    private final CoreSlot slot = CoreSlot.onHeap();
    private long n;

    @Benchmark
    public boolean deliverCas() { return slot.deliver(++n); }

    @Benchmark
    public long releaseStore() {
        slot.delivered(++n);
        return n;
    }
}
