package io.calisto.bench;

import io.calisto.io.rss.Toeplitz;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Software Toeplitz (the standard Microsoft key) per IPv4 UDP/TCP 4-tuple, what the IO core computes for every
 * packet whose NIC gave no RSS hash. Tuples are prebuilt (4096 random ones, cycled). Target (issue 13): ≤ 10 ns,
 * 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ToeplitzBench {
    private static final int N = 4096;
    private final Toeplitz toeplitz = new Toeplitz(Toeplitz.MICROSOFT_KEY);
    private final int[] src = new int[N], dst = new int[N], ports = new int[N];
    private int at;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            src[i] = r.nextInt();
            dst[i] = r.nextInt();
            ports[i] = r.nextInt();
        }
    }

    @Benchmark
    public int ipv4FourTuple() {
        int i = at;
        at = (i + 1) & (N - 1);
        int p = ports[i];
        return toeplitz.hashIpv4(src[i], dst[i], p >>> 16, p & 0xffff, true);
    }
}
