package io.calisto.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.EmbeddedDriver;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.kernel.IoKernelProxy;
import io.calisto.io.kernel.IoKernel;
import io.calisto.io.rss.Toeplitz;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole IO-core hot path, one {@link IoKernel#doWork()} per invocation, reported per packet (32 per
 * invocation): a 32-frame burst replayed from frames built in setup ({@link ReplayPort}: 700k flows, one 64-byte UDP
 * frame each, handed over in place as DPDK hands mbufs) is parsed, hashed (software Toeplitz), classified,
 * dispatched by the policy and written to the chosen core's Aeron IPC stream with tryClaim; a drainer thread
 * consumes the streams. Nothing is generated in the measured loop. {@code -prof gc} shows the allocation per
 * packet: it must be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(IoKernelBench.BURST)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class IoKernelBench {
    static final int BURST = 32;

    @Param({"modulo", "affinity"})
    String policy;

    private EmbeddedDriver driver;
    private Aeron aeron;
    private IoKernel kernel;
    private Thread drainer;
    private volatile boolean running = true;

    @Setup
    public void setup() throws Exception {
        driver = EmbeddedDriver.launch("/dev/shm/calisto-bench-" + ProcessHandle.current().pid());
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directoryName()));
        Streams streams = new Streams("aeron:ipc?term-length=4194304|mtu=4096");
        int cores = 2;
        kernel = new IoKernel(new ReplayPort(700_000, BURST), new Toeplitz(Toeplitz.MICROSOFT_KEY), BURST, 2048, new int[] {0, 1}, 5_000);
        AppDispatch app = new AppDispatch(0, "bench", MatchRule.parse("dst-port=7"), policy, 700_000, TimeUnit.SECONDS.toNanos(30),
            aeron.addSubscription(streams.channel(), Streams.txStreamId(0)), 0);
        app.guaranteed = cores;
        app.burstable = cores;
        Subscription[] subs = new Subscription[cores];
        CoreSlot[] slots = new CoreSlot[cores];
        for (int core = 0; core < cores; core++) {
            subs[core] = aeron.addSubscription(streams.channel(), Streams.rxStreamId(0, core));
            ExclusivePublication pub = aeron.addExclusivePublication(streams.channel(), Streams.rxStreamId(0, core));
            while (!pub.isConnected()) Thread.onSpinWait();
            slots[core] = CoreSlot.onHeap();
            app.attach(core, pub, slots[core]);
        }
        IoKernelProxy io = new IoKernelProxy(kernel);
        CompletableFuture<Void> added = io.addApp(app);
        CompletableFuture<Void> on = io.setRx(true);
        while (!added.isDone() || !on.isDone()) kernel.doWork();
        drainer = Thread.ofPlatform().daemon().start(() -> {
            while (running) {
                for (int core = 0; core < cores; core++) {
                    subs[core].poll((b, o, l, h) -> { }, 1024);
                    if (subs[core].imageCount() > 0) {
                        long position = subs[core].imageAtIndex(0).position();
                        slots[core].started(position);
                        slots[core].completed(position);
                    }
                }
            }
        });
    }

    @Benchmark
    public int burst() { return kernel.doWork(); }

    @TearDown
    public void tearDown() throws Exception {
        // the drainer shares the machine: say how many packets took the cheap back-pressure path instead of a claim
        System.out.printf("%n[IoKernelBench %s] received %d, dropped as backpressure %d, other drops %d%n", policy, kernel.received(),
            kernel.dropped(DropReason.BACKPRESSURE), kernel.droppedTotal() - kernel.dropped(DropReason.BACKPRESSURE));
        running = false;
        drainer.join();
        aeron.close();
        driver.close();
    }
}
