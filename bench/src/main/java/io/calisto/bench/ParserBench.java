package io.calisto.bench;

import io.calisto.aeron.DropReason;
import io.calisto.io.parse.PacketParser;
import io.calisto.io.parse.ParsedPacket;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import java.nio.ByteBuffer;
import java.util.Map;
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
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link PacketParser} per frame: Ethernet → IPv4 → UDP of a 64-byte frame (or 128-byte frames, a quarter IPv6 and
 * a quarter TCP, with {@code mix=true}), prebuilt in direct memory (4096 distinct flows, cycled). 0 B/op is the
 * target.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class ParserBench {
    private static final int N = 4096;

    @Param({"false", "true"})
    boolean mix;

    private final UnsafeBuffer[] frames = new UnsafeBuffer[N];
    private final int[] lengths = new int[N];
    private final ParsedPacket parsed = new ParsedPacket();
    private int at;

    @Setup
    public void setup() {
        Map<String, Object> cfg = mix
            ? Map.of("flows", N, "rate", 0, "packet-bytes", 128, "ipv6-fraction", 0.25, "tcp-fraction", 0.25)
            : Map.of("flows", N, "rate", 0, "packet-bytes", 64);
        SyntheticPort gen = new SyntheticPort(SyntheticConfig.withOverrides(cfg));
        for (int i = 0; i < N; i++) {
            frames[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            lengths[i] = gen.write(frames[i], i, i);
            if (PacketParser.parse(frames[i], lengths[i], parsed) != null) throw new IllegalStateException("frame " + i + " does not parse");
        }
    }

    @Benchmark
    public int parse() {
        int i = at;
        at = (i + 1) & (N - 1);
        DropReason bad = PacketParser.parse(frames[i], lengths[i], parsed);
        return bad == null ? parsed.srcPort : -1;
    }
}
