package io.calisto.io.kernel;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.Streams;
import io.calisto.io.dispatch.AppClassifier;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.parse.PacketParser;
import io.calisto.io.parse.ParsedPacket;
import io.calisto.io.port.PacketPort;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.TxBatch;
import io.calisto.io.rss.Toeplitz;
import io.calisto.io.sched.CoreScheduler;
import io.calisto.io.sched.SchedEvent;
import io.calisto.io.sched.SchedEventRing;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.HdrHistogram.Recorder;

/**
 * Shenango's IOKernel main loop as an Agrona agent on the IO thread:
 * rx burst → parse → RSS hash → classify → {@link DispatchPolicy} → Aeron IPC tryClaim to the chosen core,
 * then the TX return path (apps' replies → port), then control commands. Nothing here allocates per packet.
 *
 * <p>Threads: the IO thread alone changes dispatch state. Other threads call {@link IoKernelProxy}, whose named methods
 * queue the {@code on*} methods below (the only code here that runs on behalf of another thread); their getters read
 * counters published with ordered writes.
 */
public final class IoKernel implements Agent {
    public static final int RX = 0, TX_REPLIES = 1, TX_SENT = 2, STAT_SLOTS = 3;

    private final PacketPort port;
    private final Toeplitz toeplitz;
    private final RxBatch rx;
    private final TxBatch tx;
    private final int maxFrame;
    private final ParsedPacket parsed = new ParsedPacket();
    private final BufferClaim claim = new BufferClaim();
    private final AppClassifier classifier = new AppClassifier();
    private final AppDispatch[] appsById = new AppDispatch[Streams.MAX_APPS];
    private final AppDispatch[] apps = new AppDispatch[Streams.MAX_APPS];
    private int appCount;
    /** The open run: consecutive packets of this burst routed to one app's core, published in one claim. */
    private AppDispatch runApp;
    private int runCore, runCount, runBytes, runLimit;
    private final UnsafeBuffer[] runFrame;
    private final int[] runLength, runHash;
    private final long[] runNanos;
    /** The burst after the first pass: each packet's app (null: dropped already), length and RSS hash. */
    private final AppDispatch[] burstApp;
    private final int[] burstLength, burstHash;
    /** Sum of what {@link DispatchPolicy#prefetch} read: kept so the JIT cannot drop those loads. */
    private int prefetched;
    /** Multi-frame claims on (the default) or one claim per packet, for comparison. */
    private boolean batching = true;
    /** Apps whose dispatch counts this burst changed, published at its end. */
    private final AppDispatch[] touched;
    private int touchedCount;
    /** Kernel drop counts of this burst by reason, published at its end. */
    private final long[] pendingDrops = new long[DropReason.count()];
    private boolean dropsPending;
    /** Commands from other threads ({@link IoKernelProxy} offers them, the IO thread runs them between bursts). */
    final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final AtomicLongArray stats = new AtomicLongArray(STAT_SLOTS);
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.count());
    private final Recorder latency = new Recorder(3);
    private final FragmentHandler txHandler = this::onReply;
    /** The app whose TX stream {@link #drainReplies} is polling ({@link #onReply} checks its sessions). */
    private AppDispatch replyApp;
    private final CoreScheduler scheduler;
    private final SchedEventRing events = new SchedEventRing(1 << 22);
    private volatile long eventsLost;
    private volatile boolean rxStopped = true;
    private volatile boolean rxExhausted;

    public IoKernel(PacketPort port, Toeplitz toeplitz, int burst, int maxFrame, int[] corePool, long schedulerIntervalNanos) {
        if (maxFrame < 64 || maxFrame > RxBatch.SLOT_BYTES) {
            throw new IllegalArgumentException("calisto.io.max-frame must be in 64.." + RxBatch.SLOT_BYTES + ", was " + maxFrame);
        }
        this.port = port;
        this.toeplitz = toeplitz;
        this.rx = new RxBatch(burst);
        this.tx = new TxBatch(burst);
        this.maxFrame = maxFrame;
        this.runFrame = new UnsafeBuffer[burst];
        this.runLength = new int[burst];
        this.runHash = new int[burst];
        this.runNanos = new long[burst];
        this.burstApp = new AppDispatch[burst];
        this.burstLength = new int[burst];
        this.burstHash = new int[burst];
        this.touched = new AppDispatch[burst];
        this.scheduler = new CoreScheduler(corePool, schedulerIntervalNanos,
            (type, app, core, reason, now, signal) -> {
                if (!events.offer(type, app, core, reason, now, signal)) eventsLost++;
            },
            (app, core, lost) -> {
                app.countAppErrors(core, lost);
                int r = DropReason.APP_ERROR.ordinal();
                drops.setRelease(r, drops.getPlain(r) + lost);
            });
        scheduler.beforeDecision(this::flushBeforeDecision);
    }

    /**
     * Multi-frame claims (the default: consecutive packets of a burst for the same core share one Aeron claim) or
     * one claim per packet; for benchmarks that compare the two. IO thread, or before it starts.
     */
    public void batching(boolean on) { this.batching = on; }

    private int cpu = -1;

    /** CPU the IO thread pins itself to when it starts ({@code calisto.io.cpu}); -1 leaves it to the OS. */
    public void cpu(int cpu) { this.cpu = cpu; }

    @Override
    public void onStart() {
        if (cpu >= 0) io.calisto.aeron.ffm.CpuAffinity.pin(cpu, "calisto.io.cpu");
    }

    @Override
    public String roleName() { return "calisto-io"; }

    @Override
    public int doWork() {
        int work = applyCommands();
        if (!rxStopped) work += receive();
        work += drainReplies();
        long now = System.nanoTime();
        if (scheduler.poll(now)) work++;
        // flow-table aging: a bounded sweep per loop, packets or not (no work counted: it must not stop idling)
        for (int a = 0; a < appCount; a++) {
            AppDispatch app = apps[a];
            app.policy.tick(now);
            if (app.migrations != null) app.migrations.tick(now);
        }
        return work;
    }

    private int receive() {
        long now = System.nanoTime();
        int n = port.receive(rx, now);
        if (n == 0) {
            if (port.exhausted()) rxExhausted = true;
            return 0;
        }
        try {
            // three passes: parse, classify and hash every packet; load each one's policy state into cache (the
            // misses of a 700k-flow table overlap instead of following one another); then route and claim
            for (int i = 0; i < n; i++) burstApp[i] = classify(i);
            int sum = 0;
            for (int i = 0; i < n; i++) {
                AppDispatch app = burstApp[i];
                if (app != null) sum += app.prefetch(burstHash[i]);
            }
            prefetched += sum;
            for (int i = 0; i < n; i++) {
                if (burstApp[i] != null) dispatch(i, now);
            }
        } finally {
            // a failure mid-burst must not leak the port's buffers (DPDK mbufs) nor lose the count of the burst; what
            // was routed before it is still published (before the release: the run points into the port's buffers)
            try {
                flushRun(now);
            } finally {
                runCount = 0;
                // no reference to a retired app outlives the burst
                java.util.Arrays.fill(burstApp, 0, n, null);
                port.release(rx);
                stats.setRelease(RX, stats.getPlain(RX) + n);
                publishCounts();
            }
        }
        return n;
    }

    /**
     * First pass over packet {@code i} of the burst: parse, classify, hash. Returns its app, its length and hash left
     * in {@link #burstLength} and {@link #burstHash}, or null when it is dropped (counted here).
     */
    private AppDispatch classify(int i) {
        int len = rx.load(i);
        UnsafeBuffer frame = rx.loadedFrame(i);
        if (len > maxFrame) {
            // before parsing: a frame the port cut to its slot must not be parsed (and echoed) as if the cut were all of it
            tooLarge(frame, Math.min(len, frame.capacity()));
            return null;
        }
        DropReason bad = PacketParser.parse(frame, len, parsed);
        if (bad != null) {
            drop(null, bad);
            return null;
        }
        int appId = classifier.classify(parsed);
        if (appId == AppClassifier.NO_APP) {
            drop(null, DropReason.NO_APP);
            return null;
        }
        burstLength[i] = len;
        burstHash[i] = rx.rssValid(i) ? rx.rssHash(i) : toeplitz.hash(parsed);
        return appsById[appId];
    }

    /**
     * Routes packet {@code i} of the burst (classified by {@link #classify}): pick the core. The packet joins the open
     * run when it goes to the same app and core as the packet before it and still fits the claim; otherwise the run is
     * published first and a new one starts with it.
     */
    private void dispatch(int i, long now) {
        AppDispatch app = burstApp[i];
        int len = burstLength[i], hash = burstHash[i];
        UnsafeBuffer frame = rx.loadedFrame(i);
        // the policy may grant or preempt a core here: the scheduler first publishes the open run (flushBeforeDecision)
        int core = scheduler.coreFor(app, hash, now);
        if (core == DispatchPolicy.NO_CORE) {
            drop(app, DropReason.NO_CORE);
            return;
        }
        int bytes = FrameLayout.alignedLength(len);
        if (runCount > 0 && (app != runApp || core != runCore || runBytes + bytes > runLimit || !batching)) flushRun(now);
        if (runCount == 0) {
            runApp = app;
            runCore = core;
            runBytes = 0;
            runLimit = app.rxByCore[core].maxPayloadLength();
        }
        runFrame[runCount] = frame;
        runLength[runCount] = len;
        runHash[runCount] = hash;
        runNanos[runCount] = rx.rxNanos(i);
        runCount++;
        runBytes += bytes;
    }

    /**
     * Publishes the open run in one Aeron claim: each packet a frame of the batch ({@link FrameLayout}), with the
     * per-flow barrier computed in publish order and recorded at the packet's own stream position, so a barrier
     * names one packet, never a whole batch (docs/decisions.md 35).
     */
    private void flushRun(long now) {
        int n = runCount;
        if (n == 0) return;
        runCount = 0;
        AppDispatch app = runApp;
        int core = runCore, bytes = runBytes;
        ExclusivePublication pub = app.rxByCore[core];
        long result = pub.tryClaim(bytes, claim);
        // ADMIN_ACTION means the term just rotated: the claim succeeds on a retry, it is not back pressure
        if (result == Publication.ADMIN_ACTION) result = pub.tryClaim(bytes, claim);
        if (result < 0) {
            DropReason reason = result == Publication.NOT_CONNECTED || result == Publication.CLOSED ? DropReason.APP_GONE : DropReason.BACKPRESSURE;
            pendingDrops[reason.ordinal()] += n;
            dropsPending = true;
            app.countDrop(reason, n);
            return;
        }
        var out = claim.buffer();
        int at = claim.offset(), end = 0;
        FlowOrder order = app.order;
        for (int k = 0; k < n; k++) {
            int len = runLength[k], hash = runHash[k];
            int barrier = order.barrierFor(hash, core, app.slots);
            long barrierAt = barrier == FrameLayout.NO_BARRIER ? 0 : order.barrierPosition();
            FrameLayout.writeHeader(out, at + end, hash, app.appId, runNanos[k], len, core, barrier, barrierAt);
            out.putBytes(FrameLayout.payloadOffset(at + end), runFrame[k], 0, len);
            end += FrameLayout.alignedLength(len);
            order.sent(core, FrameLayout.subFramePosition(result, bytes, end));
            if (app.migrations != null) app.migrations.record(hash, core, now);
        }
        claim.commit();
        app.published[core] = result;
        if (app.pendingDispatched(core, n)) touched[touchedCount++] = app;
    }

    /** Publishes the burst's counts (ordered writes), once per burst rather than once per packet. */
    private void publishCounts() {
        for (int t = 0; t < touchedCount; t++) {
            touched[t].publishDispatched();
            touched[t] = null;
        }
        touchedCount = 0;
        if (!dropsPending) return;
        dropsPending = false;
        for (int r = 0; r < pendingDrops.length; r++) {
            long d = pendingDrops[r];
            if (d == 0) continue;
            drops.setRelease(r, drops.getPlain(r) + d);
            pendingDrops[r] = 0;
        }
    }

    /**
     * The scheduler is about to grant or preempt inside a policy call: what was routed before the packet being
     * decided is published first, and its counts too, so the decision reads exact published positions (a revoke's
     * drain-to, a grant's start) and a dead actor's losses are counted from complete dispatch counts.
     */
    private void flushBeforeDecision() {
        flushRun(System.nanoTime());
        publishCounts();
    }

    /** A frame over max-frame: counted against its app when the headers in the first {@code seen} bytes name one. */
    private void tooLarge(UnsafeBuffer frame, int seen) {
        int appId = PacketParser.parse(frame, seen, parsed) == null ? classifier.classify(parsed) : AppClassifier.NO_APP;
        drop(appId == AppClassifier.NO_APP ? null : appsById[appId], DropReason.TOO_LARGE);
    }

    /**
     * One packet dropped (received, or a reply): counted against its app now, in the kernel's totals when the burst or
     * the reply pass ends ({@link #publishCounts}).
     */
    private void drop(AppDispatch app, DropReason reason) {
        pendingDrops[reason.ordinal()]++;
        dropsPending = true;
        if (app != null) app.countDrop(reason, 1);
    }

    private int drainReplies() {
        int work = 0;
        for (int a = 0; a < appCount; a++) {
            replyApp = apps[a];
            work += replyApp.tx.poll(txHandler, tx.capacity() - tx.count());
            if (tx.isFull()) flushTx();
        }
        flushTx();
        // bad-reply and tx-full drops of this pass
        publishCounts();
        return work;
    }

    private void onReply(DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
        int len = length < FrameLayout.HEADER_LENGTH ? -1 : FrameLayout.length(buffer, offset);
        // an app (possibly in another process) wrote this header: never trust its length beyond the fragment
        if (len < 0 || len > length - FrameLayout.HEADER_LENGTH || !fromThisRegistration(FrameLayout.core(buffer, offset), header.sessionId())) {
            drop(null, DropReason.BAD_REPLY);
            return;
        }
        latency.recordValue(Math.max(0, System.nanoTime() - FrameLayout.ingressNs(buffer, offset)));
        stats.setRelease(TX_REPLIES, stats.getPlain(TX_REPLIES) + 1);
        if (!tx.add(buffer, FrameLayout.payloadOffset(offset), len)) drop(null, DropReason.TX_FULL);
    }

    /**
     * A reply counts only when its session is the RX session of the core it names: a core-actor publishes its
     * replies under that id (CoreActor), and an earlier holder of the app id, whose TX publication may still be open
     * on the same stream, had other sessions (docs/decisions.md 46).
     */
    private boolean fromThisRegistration(int core, int sessionId) {
        if (core < 0 || core >= Streams.MAX_CORES) return false;
        ExclusivePublication rx = replyApp.rxByCore[core];
        return rx != null && rx.sessionId() == sessionId;
    }

    private void flushTx() {
        int n = tx.count();
        if (n == 0) return;
        int sent = port.transmit(tx);
        stats.setRelease(TX_SENT, stats.getPlain(TX_SENT) + sent);
        for (int i = sent; i < n; i++) drop(null, DropReason.TX_FULL);
        tx.clear();
    }

    private int applyCommands() {
        Runnable c;
        int work = 0;
        // each command completes its own future, exceptionally if it throws (IoKernelProxy wraps them)
        while (work < 16 && (c = commands.poll()) != null) {
            work++;
            c.run();
        }
        return work;
    }

    // ---- what the IO thread runs for IoKernelProxy: the only state changes asked for by other threads ----

    /** Starts classifying packets for {@code app}; the scheduler grants its guaranteed cores. */
    void onAddApp(AppDispatch app) {
        if (appsById[app.appId] != null) throw new IllegalStateException("app id " + app.appId + " already registered");
        scheduler.addApp(app, System.nanoTime());
        wireAcquirer(app);
        appsById[app.appId] = app;
        apps[appCount++] = app;
        classifier.add(app.appId, app.rule);
    }

    /**
     * Starts or stops reading packets from the port. The kernel starts stopped, so nothing arrives before the apps
     * are registered; stopping keeps the rest of the loop running to drain replies.
     */
    void onSetRx(boolean on) { rxStopped = !on; }

    /** Swaps {@code app}'s dispatch policy between two bursts (nothing queued is lost). */
    void onSetPolicy(AppDispatch app, DispatchPolicy next) {
        app.policy(next);
        wireAcquirer(app);
    }

    void onSetLimits(AppDispatch app, int guaranteed, int burstable) { scheduler.setLimits(app, guaranteed, burstable, System.nanoTime()); }

    void onDrainCore(int core) { scheduler.drainCore(core, System.nanoTime()); }

    void onRestoreCore(int core) { scheduler.restoreCore(core); }

    /** Table policies get the scheduler's side: the shared round-robin counters and {@code cores_add_core}. */
    private void wireAcquirer(AppDispatch app) { scheduler.wire(app); }

    /**
     * Stops classifying packets for {@code app} (from now on they count as no-app) and returns the stream positions
     * it was last published to, per core: what its core-actors must complete before it can be retired.
     */
    long[] onStopClassifying(AppDispatch app) {
        classifier.remove(app.appId);
        return app.published.clone();
    }

    /**
     * Forgets {@code app}: no more packets are classified for it and its cores go back to the scheduler (its
     * core-actors are stopped next); the packets it never consumed are counted afterwards with {@link #onCountGone}.
     */
    void onRetire(AppDispatch app) {
        classifier.remove(app.appId);
        scheduler.removeApp(app, System.nanoTime());
        for (int i = 0; i < appCount; i++) {
            if (apps[i] == app) {
                System.arraycopy(apps, i + 1, apps, i, appCount - i - 1);
                apps[--appCount] = null;
                break;
            }
        }
        appsById[app.appId] = null;
    }

    /** Counts {@code undelivered} packets of a retired app as app-gone. */
    void onCountGone(AppDispatch app, long undelivered) {
        int r = DropReason.APP_GONE.ordinal();
        drops.setRelease(r, drops.getPlain(r) + undelivered);
        app.countDrop(DropReason.APP_GONE, undelivered);
    }

    /** The stream position each app served now was last published to, per core, in registration order. */
    java.util.Map<AppDispatch, long[]> onSnapshotPublished() {
        java.util.Map<AppDispatch, long[]> out = new java.util.LinkedHashMap<>();
        for (int a = 0; a < appCount; a++) out.put(apps[a], apps[a].published.clone());
        return out;
    }

    public long received() { return stats.get(RX); }

    public long replies() { return stats.get(TX_REPLIES); }

    public long transmitted() { return stats.get(TX_SENT); }

    public long dropped(DropReason r) { return drops.get(r.ordinal()); }

    /** Received packets dropped, whatever the reason: the reply-side drops (tx-full, bad-reply) left out. */
    public long droppedReceived() {
        return droppedTotal() - dropped(DropReason.TX_FULL) - dropped(DropReason.BAD_REPLY);
    }

    public long droppedTotal() {
        long sum = 0;
        for (int i = 0; i < drops.length(); i++) sum += drops.get(i);
        return sum;
    }

    /** Latency ingress → reply back at the IO core; the recorder is safe to read from another thread. */
    public Recorder latency() { return latency; }

    /** Scheduler decisions since the last call, oldest first; control-plane thread. */
    public int drainEvents(java.util.function.Consumer<SchedEvent> sink) { return events.drain(sink); }

    /** Events dropped because the control plane did not drain the queue (should stay 0). */
    public long eventsLost() { return eventsLost; }

    /** True once a finite port has no more packets. */
    public boolean rxExhausted() { return rxExhausted; }

    public PacketPort port() { return port; }

    @Override
    public void onClose() { port.close(); }
}
