package io.calisto.core;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.ffm.CpuAffinity;
import io.calisto.aeron.ffm.RealtimePriority;
import io.calisto.aeron.Streams;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.CompletableFuture;
import org.agrona.concurrent.IdleStrategy;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Shenango's runtime kthread as an actor on its own pinned thread. While its {@link CoreSlot} says the core is
 * granted it polls its core's Aeron stream in bounded batches (a self-sent {@link Poll}, never one message per
 * packet) and runs the app's handler inline; while parked it blocks its thread until the IO core wakes it.
 * It asks to yield after {@code park-after} without work, and on a revoke drains up to the position the IO core
 * names before parking: nothing queued for this core is lost. A frame that carries a barrier (its flow's previous
 * packet went to another core of this app and was not done when this one was sent) waits until that core's
 * completed position reaches the barrier, so a flow is handled one packet at a time, in order, across core changes.
 * A handler's RuntimeException is counted and the core goes on; an Error stops the actor, and its parent
 * ({@link AppSupervisor}) marks the slot failed so the IO core takes the core back.
 */
public final class CoreActor extends AbstractBehavior<CoreActor.Command> {

    public sealed interface Command {}

    enum Poll implements Command { INSTANCE }

    /** Leave for good (the app unregisters or the dataplane stops); completes once the actor stopped. */
    public record Stop(CompletableFuture<Void> done) implements Command {}

    /** How long a core-actor without work waits before asking to yield: both must hold. */
    public record ParkAfter(int emptyPolls, long nanos) {}

    private static final long PARK_NANOS = 1_000_000;

    private final int core;
    private final CoreSlot slot;
    /** Every core's slot of this app (filled before any packet flows): barriers wait on another core's. */
    private final CoreSlot[] appSlots;
    private long deliveredHere;
    private long position;
    private final Subscription rx;
    private final ExclusivePublication tx;
    private final PacketContext packet;
    private final PacketHandler handler;
    private final FragmentHandler fragments;
    private final IdleStrategy idle;
    private final int pollBatch;
    private final ParkAfter parkAfter;
    private final AppRuntime.CoreCounters counters;
    private final ActorRef<Command> self;
    private long handlerErrors;
    /** Frames dropped unhandled, by {@link FrameCheck} reason; published per batch with the other counters. */
    private final long[] rejected = new long[FrameCheck.LABELS.length];
    private int emptyPolls;
    private long lastWorkNanos;
    private boolean awaitingFirstPacket;
    private final Recorder grantReaction;
    private final GrantTrace trace;
    /** Bench-only hop times of the current wake (GrantTrace): the park returned, the first poll began. */
    private long runningAt, pollingAt;
    private boolean firstPollEmpty;

    static Behavior<Command> create(Aeron aeron, Streams streams, int appId, int core, CoreSlot[] appSlots, PacketHandlerFactory factory,
                                    int pollBatch, IdleStrategy idle, ParkAfter parkAfter,
                                    Recorder grantReaction, GrantTrace trace, AppRuntime.CoreCounters counters, int cpu, int realtimePriority,
                                    CompletableFuture<Void> ready) {
        return Behaviors.setup(ctx -> {
            try {
                // the pinned dispatcher gives this actor its own thread for life: pin that thread to the core's CPU
                if (cpu >= 0) CpuAffinity.pin(cpu, "calisto.cores.cpus entry of core " + core);
                if (realtimePriority > 0) RealtimePriority.set(realtimePriority, "calisto.core.realtime-priority");
                CoreActor actor = new CoreActor(ctx, aeron, streams, appId, core, appSlots, factory, pollBatch, idle, parkAfter, grantReaction, trace, counters);
                Thread me = Thread.currentThread();
                appSlots[core].waker(() -> LockSupport.unpark(me));
                ready.complete(null);
                ctx.getSelf().tell(Poll.INSTANCE);
                return actor;
            } catch (RuntimeException e) {
                ready.completeExceptionally(e);
                return Behaviors.stopped();
            }
        });
    }

    private CoreActor(ActorContext<Command> ctx, Aeron aeron, Streams streams, int appId, int core, CoreSlot[] appSlots,
                      PacketHandlerFactory factory, int pollBatch, IdleStrategy idle, ParkAfter parkAfter,
                      Recorder grantReaction, GrantTrace trace, AppRuntime.CoreCounters counters) {
        super(ctx);
        this.trace = trace;
        this.counters = counters;
        this.grantReaction = grantReaction;
        this.core = core;
        this.appSlots = appSlots;
        this.slot = appSlots[core];
        this.deliveredHere = slot.delivered();
        this.rx = aeron.addSubscription(sessionChannel(streams.channel(), slot), Streams.rxStreamId(appId, core));
        // replies go out under this core's RX session id: the IO core takes on the app's TX stream only frames of the
        // sessions it published to this registration's cores, so a previous holder of the app id, still running with
        // its TX publication open, cannot have its replies sent as this app
        this.tx = aeron.addExclusivePublication(sessionChannel(streams.channel(), slot), Streams.txStreamId(appId));
        this.packet = new PacketContext(core, tx);
        this.handler = factory.create(core);
        this.fragments = this::onFragment;
        this.idle = idle;
        this.pollBatch = pollBatch;
        this.parkAfter = parkAfter;
        this.self = ctx.getSelf();
    }

    /**
     * The channel narrowed to the IO core's publication for this core (its session, named in the slot), for the RX
     * subscription and, with the same session id, the TX publication: the app
     * id may have had a holder before, whose closed publication on the same stream Aeron may still hold with frames
     * nobody consumed; those must never reach this app (docs/decisions.md, "App ids are reused").
     */
    static String sessionChannel(String channel, CoreSlot slot) {
        if (!slot.hasRxSession()) return channel;
        io.aeron.ChannelUri uri = io.aeron.ChannelUri.parse(channel);
        uri.put(io.aeron.CommonContext.SESSION_ID_PARAM_NAME, Integer.toString(slot.rxSession()));
        return uri.toString();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessageEquals(Poll.INSTANCE, this::onPoll)
            .onMessage(Stop.class, this::onStop)
            .build();
    }

    private Behavior<Command> onPoll() {
        int state = slot.state();
        if (state == CoreSlot.PARKED) {
            // not our core now: block (no spinning) until the IO core grants it; the timeout lets Stop through
            slot.awaitGrant(PARK_NANOS);
            // set on every return (a grant may land between a timeout and the next park): park-after counts from
            // the wake, not from the last packet before parking, which would ask to yield after the first empty polls
            awaitingFirstPacket = true;
            runningAt = lastWorkNanos = System.nanoTime();
            pollingAt = 0;
            firstPollEmpty = false;
            state = slot.state();
            if (state == CoreSlot.PARKED) {
                // the timeout: round the mailbox so a Stop gets through, then block again
                self.tell(Poll.INSTANCE);
                return this;
            }
            // granted: poll now rather than after a trip through the mailbox
        }
        if (rx.isClosed() || slot.retired()) {
            // the Aeron client closed itself (its buffers are about to be unmapped), or the dataplane retired the app
            // (it counted what is queued as app-gone, e.g. while this process was stopped): never poll again, wait for Stop
            LockSupport.parkNanos(PARK_NANOS);
            self.tell(Poll.INSTANCE);
            return this;
        }
        if (awaitingFirstPacket && pollingAt == 0) pollingAt = System.nanoTime();
        int n;
        try {
            n = rx.poll(fragments, pollBatch);
        } finally {
            // even when a handler's Error escapes: what was handed over so far is published before the actor dies
            counters.publish(core, packet.replyFailures(), handlerErrors, rejected);
        }
        // the image can vanish (publication closed): keep the last position rather than run backwards to 0
        if (rx.imageCount() > 0) position = rx.imageAtIndex(0).position();
        slot.started(position);
        slot.completed(position); // also covers padding frames, which advance the position without a fragment
        if (n > 0) {
            emptyPolls = 0;
            idle.reset();
            lastWorkNanos = System.nanoTime();
            if (awaitingFirstPacket) {
                // grant → first packet handled on this core: the scheduler's reaction time
                awaitingFirstPacket = false;
                long grantedAt = slot.grantedAt();
                grantReaction.recordValue(Math.max(0, lastWorkNanos - grantedAt));
                if (trace.on()) trace.record(grantedAt, slot.wokenAt(), runningAt, pollingAt, lastWorkNanos, firstPollEmpty);
                firstPollEmpty = false;
            }
            if (state == CoreSlot.YIELD_REQUESTED) slot.cas(CoreSlot.YIELD_REQUESTED, CoreSlot.GRANTED);
        } else if (state == CoreSlot.REVOKING) {
            if (slot.completed() >= slot.drainTo()) slot.cas(CoreSlot.REVOKING, CoreSlot.PARKED);
        } else {
            if (awaitingFirstPacket) firstPollEmpty = true;
            if (state == CoreSlot.GRANTED && ++emptyPolls >= parkAfter.emptyPolls()
                && System.nanoTime() - lastWorkNanos >= parkAfter.nanos()) {
                slot.cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED);
            }
            // just granted: the packet that woke us is on its way (the IO core wakes before it commits), so poll
            // again at once for up to park-after; the idle strategy's park would sleep >= 50 us (Linux timer slack)
            if (awaitingFirstPacket && System.nanoTime() - runningAt < parkAfter.nanos()) Thread.onSpinWait();
            else idle.idle(0);
        }
        self.tell(Poll.INSTANCE);
        return this;
    }

    private Behavior<Command> onStop(Stop stop) {
        // gone for good: a core-actor of this app waiting on a barrier of ours must not wait for us any more
        slot.fail();
        rx.close();
        tx.close();
        stop.done().complete(null);
        return Behaviors.stopped();
    }

    /**
     * One Aeron fragment: a batch of one or more frames (consecutive packets the IO core sent to this core in one
     * claim, {@link FrameLayout}), handled one at a time in order. Each frame has its own stream position, and the
     * slot's started/completed positions move frame by frame, never once per batch: a barrier names one packet of a
     * batch, and another core may be waiting for exactly that one while this core's later frames wait for it
     * (docs/decisions.md 35).
     */
    private void onFragment(org.agrona.DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
        long fragmentEnd = header.position();
        for (int at = 0; at < length; ) {
            int frameLength = length - at >= FrameLayout.HEADER_LENGTH ? FrameLayout.length(buffer, offset + at) : -1;
            // a length that does not fit the bytes left (forged: the IO core never writes one) makes the rest of the
            // fragment one bad frame, refused by the frame's check: nothing after it can be trusted to be a frame
            int next = frameLength < 0 || frameLength > length - at - FrameLayout.HEADER_LENGTH
                ? length : at + FrameLayout.alignedLength(frameLength);
            onFrame(buffer, offset + at, length - at, FrameLayout.subFramePosition(fragmentEnd, length, next));
            at = next;
        }
    }

    private void onFrame(org.agrona.DirectBuffer buffer, int offset, int available, long end) {
        // dequeued as its service starts, as in Shenango's check: a packet being served is not queued work, only
        // the ones behind it are (updating after the whole batch made any service longer than the 5 us check
        // interval look like congestion and win a core)
        slot.started(end);
        if (!acceptable(buffer, offset, available)) {
            slot.completed(end);
            return;
        }
        // handed to the app: delivered, whatever the handler does next (published before it runs, so a handler
        // that kills the actor cannot leave this packet counted nowhere); refused once the dataplane retired the app
        // mid-batch: it counted this packet app-gone, so it must not be handled (docs/decisions.md 44)
        if (!slot.deliver(deliveredHere + 1)) return;
        deliveredHere++;
        packet.wrap(buffer, offset);
        try {
            handler.onPacket(packet);
        } catch (RuntimeException e) {
            // a faulty handler must not take the core down; the packet still counts as delivered to the app
            handlerErrors++;
        }
        slot.completed(end);
    }

    /**
     * Checks the frame's header ({@link FrameCheck}) and waits out its barrier; false when the frame is dropped
     * unhandled, counted by reason (it was never handed to the app: not delivered). Never throws out of the poll.
     */
    private boolean acceptable(org.agrona.DirectBuffer buffer, int offset, int length) {
        int bad = FrameCheck.header(buffer, offset, length, core, appSlots);
        int barrierCore = bad == FrameCheck.OK ? FrameLayout.barrierCore(buffer, offset) : FrameLayout.NO_BARRIER;
        if (barrierCore != FrameLayout.NO_BARRIER && !awaitBarrier(appSlots[barrierCore], FrameLayout.barrierPosition(buffer, offset))) {
            bad = FrameCheck.BAD_BARRIER_POSITION;
        }
        if (bad == FrameCheck.OK) return true;
        rejected[bad]++;
        return false;
    }

    /**
     * Waits until {@code other} has completed up to {@code position}: the flow's previous packet is done there.
     * Bounded: that core's actor only has earlier frames to finish (barriers always point at earlier publications,
     * so waits cannot form a cycle); a dead one (failed) releases the wait, its packets count as app-error.
     * False when the position is one {@code other} can never reach: it is parked (the IO core parks a core only
     * once it completed all it was sent) and short of it, so the barrier was forged.
     */
    private static boolean awaitBarrier(CoreSlot other, long position) {
        for (int spins = 0; other.completed() < position; spins++) {
            int state = other.state();
            if (state == CoreSlot.FAILED) return true;
            if (state == CoreSlot.PARKED && other.completed() < position) return false;
            // with more core-actors than CPUs the core we wait for may need our CPU: give it up after a short spin
            if (spins < 100) Thread.onSpinWait();
            else Thread.yield();
        }
        return true;
    }
}
