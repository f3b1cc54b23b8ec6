package io.calisto.control.experiment;

import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketContext;
import io.calisto.core.PacketHandler;
import io.calisto.io.dispatch.FlowTable;

/**
 * The experiment's server app: every request reads and rewrites its flow's state (bytes-per-flow), kept on the core
 * that serves the flow, then busy-works its service time and echoes. A flow that arrives on a core that has not served
 * it yet pays for building its state there (a cold line per 64 bytes), as a migrated TCP connection would.
 * Without per-flow state, flow affinity could not show anything.
 */
public final class FlowStateApp implements PacketHandler {
    private final FlowTable slotOf;
    private final byte[] state;
    private final int bytesPerFlow;
    private final ServiceTime service;
    private final StateCost cost;
    /** Per slot: this core's request count when the slot was last touched (recency, for hot/cold). */
    private final long[] lastTouch;
    private final long hotWindow, coldWindow;
    private int nextSlot;
    private long newFlowsHere, requests;
    private boolean lastBuilt;
    private StateCost.Kind lastKind = StateCost.Kind.BUILT;

    FlowStateApp(int flowsPerCore, int bytesPerFlow, ServiceTime service, StateCost cost) {
        this.cost = cost;
        this.slotOf = new FlowTable(flowsPerCore);
        this.state = new byte[Math.multiplyExact(flowsPerCore, bytesPerFlow)];
        this.lastTouch = new long[flowsPerCore];
        this.bytesPerFlow = bytesPerFlow;
        this.service = service;
        // hot: touched within the last HOT_BYTES of requests on this core, so at most that many distinct bytes of
        // state came in since (an LRU cache of that size still holds it); cold: not touched for COLD_BYTES of
        // requests' state (4x this machine's 1 MiB per-core L2: out of L2, as the simulator's per-core cache model means a miss;
        // it may still be in the shared L3). Between the two it is neither and counted as warm.
        this.hotWindow = Math.max(1, HOT_BYTES / bytesPerFlow);
        this.coldWindow = Math.max(hotWindow + 1, COLD_BYTES / bytesPerFlow);
    }

    /** A quarter of this machine's per-core L2 (1 MiB): the rest is the app's, Aeron's and the JVM's. */
    static final long HOT_BYTES = 256 << 10;
    static final long COLD_BYTES = 4L << 20;

    /** {@code cost} receives every request's state-access time (null: not measured). */
    public static AppSpec spec(int flowsPerCore, int bytesPerFlow, ServiceTime.Kind service, long serviceMeanNanos, StateCost cost) {
        return new AppSpec("flowstate", MatchRule.parse("dst-port=7"),
            core -> new FlowStateApp(flowsPerCore, bytesPerFlow, new ServiceTime(service, serviceMeanNanos, 1000L + core), cost));
    }

    @Override
    public void onPacket(PacketContext ctx) {
        long start = System.nanoTime();
        touch(ctx.rssHash());
        long touched = System.nanoTime();
        if (cost != null) cost.record(lastKind, touched - start);
        long end = touched + service.next();
        while (System.nanoTime() < end) Thread.onSpinWait();
        ctx.reply(ctx.buffer(), ctx.offset(), ctx.length());
    }

    /** Reads and rewrites the flow's state, building it here first if this core has not served the flow; public for the JMH bench. */
    public int touch(int flow) {
        int slot = slotOf.get(flow);
        lastBuilt = slot == FlowTable.MISSING;
        long now = ++requests;
        if (!lastBuilt) {
            long age = now - lastTouch[slot];
            lastKind = age <= hotWindow ? StateCost.Kind.HOT : age >= coldWindow ? StateCost.Kind.COLD : StateCost.Kind.WARM;
        } else {
            lastKind = StateCost.Kind.BUILT;
            // first packet of this flow on this core: build its state here (the hand-off a migration costs)
            slot = nextSlot++ % (state.length / bytesPerFlow);
            slotOf.put(flow, slot);
            newFlowsHere++;
            java.util.Arrays.fill(state, slot * bytesPerFlow, (slot + 1) * bytesPerFlow, (byte) flow);
        }
        lastTouch[slot] = now;
        int base = slot * bytesPerFlow;
        int sum = 0;
        for (int i = 0; i < bytesPerFlow; i += 64) sum += ++state[base + i];
        return sum;
    }

    /** A handler without service time, for measuring the state cost alone. */
    public static FlowStateApp forBench(int flows, int bytesPerFlow) {
        return new FlowStateApp(flows, bytesPerFlow, new ServiceTime(ServiceTime.Kind.CONSTANT, 0, 0), null);
    }
}
