package io.calisto.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.EmbeddedDriver;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.kernel.IoKernel;
import io.calisto.io.kernel.IoKernelProxy;
import io.calisto.io.rss.Toeplitz;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One app over {@code cores} core streams fed by an {@link IoKernel} reading a {@link MbufReplayPort} (700k flows,
 * 64-byte frames): the IO path of {@link BatchPathBench} and {@link BatchPathTimer}. The streams are drained either
 * by a thread of their own ({@link #startDrainer}) or inline between timed rounds ({@link #drain}); either way the
 * core slots' positions move as a core-actor's would.
 */
final class BatchPathRig implements AutoCloseable {
    static final int FLOWS = 700_000, PACKETS = 1 << 19, FRAME = 64;
    final IoKernel kernel;
    final AppDispatch app;
    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final Subscription[] subs;
    private final CoreSlot[] slots;
    private final ExclusivePublication[] pubs;
    /** The core being drained: the handler below moves its slot frame by frame, as CoreActor does (handler left out). */
    private CoreSlot draining;
    private final FragmentHandler frames = (buffer, offset, length, header) -> {
        long end = header.position();
        for (int at = 0; at < length; ) {
            int next = at + FrameLayout.alignedLength(FrameLayout.length(buffer, offset + at));
            long position = FrameLayout.subFramePosition(end, length, next);
            draining.started(position);
            draining.completed(position);
            at = next;
        }
    };
    private Thread drainer;
    private volatile boolean running = true;

    BatchPathRig(String policy, int migrations, int migrationSample, int cores) {
        driver = EmbeddedDriver.launch("/dev/shm/calisto-bench-" + ProcessHandle.current().pid());
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directoryName()));
        Streams streams = new Streams("aeron:ipc?term-length=4194304|mtu=4096");
        int[] pool = new int[cores];
        for (int i = 0; i < cores; i++) pool[i] = i;
        kernel = new IoKernel(new MbufReplayPort(FLOWS, PACKETS, FRAME), new Toeplitz(Toeplitz.MICROSOFT_KEY), MbufReplayPort.BURST, 2048, pool, 5_000);
        app = new AppDispatch(0, "bench", MatchRule.parse("dst-port=7"), policy, io.calisto.io.dispatch.DispatchPolicy.Options.of(FLOWS, TimeUnit.SECONDS.toNanos(30)),
            aeron.addSubscription(streams.channel(), Streams.txStreamId(0)), migrations, 1 << 16, migrationSample);
        app.guaranteed = cores;
        app.burstable = cores;
        subs = new Subscription[cores];
        slots = new CoreSlot[cores];
        pubs = new ExclusivePublication[cores];
        for (int core = 0; core < cores; core++) {
            subs[core] = aeron.addSubscription(streams.channel(), Streams.rxStreamId(0, core));
            ExclusivePublication pub = pubs[core] = aeron.addExclusivePublication(streams.channel(), Streams.rxStreamId(0, core));
            while (!pub.isConnected()) Thread.onSpinWait();
            slots[core] = CoreSlot.onHeap();
            app.attach(core, pub, slots[core]);
        }
        IoKernelProxy io = new IoKernelProxy(kernel);
        CompletableFuture<Void> added = io.addApp(app);
        CompletableFuture<Void> on = io.setRx(true);
        while (!added.isDone() || !on.isDone()) kernel.doWork();
    }

    /** Consumes everything queued on every core stream and moves the slots to the end, as idle core-actors would. */
    void drain() {
        for (int core = 0; core < subs.length; core++) {
            draining = slots[core];
            while (subs[core].poll(frames, 4096) > 0) { }
            if (subs[core].imageCount() > 0) {
                long position = subs[core].imageAtIndex(0).position();
                slots[core].started(position);
                slots[core].completed(position);
            }
        }
    }

    /**
     * {@link #drain}, then waits (yielding, at most 100 ms) until the media driver's conductor has moved every
     * publication's limit up to what was consumed: inline draining must not leave the next round back-pressured.
     */
    void drainAndAwaitWindow() {
        drain();
        long deadline = System.nanoTime() + 100_000_000L;
        for (ExclusivePublication pub : pubs) {
            while (pub.availableWindow() < pub.termBufferLength() / 2 - 4096 && System.nanoTime() < deadline) Thread.yield();
        }
    }

    void startDrainer() {
        drainer = Thread.ofPlatform().daemon().start(() -> {
            while (running) drain();
        });
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (drainer != null) drainer.join();
        aeron.close();
        driver.close();
    }
}
