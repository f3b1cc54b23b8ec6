package io.calisto.core;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.FrameLayout;
import org.agrona.DirectBuffer;

/**
 * Checks an RX frame's header before a core-actor acts on it. Any process that can open the Aeron directory can
 * offer frames into an app's stream (README "Trust boundary"), so the header's length and barrier are claims: a
 * barrier core outside the app's slots would throw out of the poll and kill the core-actor, a barrier on the
 * core itself would wait forever, and a length beyond the fragment would let the handler read past it.
 * Allocation-free; the reasons index {@link AppRuntime.CoreCounters#rejected}.
 */
final class FrameCheck {
    static final int OK = -1;
    /** Fragment shorter than the header, or a packet length below 0 or beyond the fragment. */
    static final int BAD_LENGTH = 0;
    /** Barrier core neither -1 nor another core of this app with a slot. */
    static final int BAD_BARRIER_CORE = 1;
    /** Barrier position the barrier core can never reach: that core is parked, and parks only with nothing queued. */
    static final int BAD_BARRIER_POSITION = 2;
    static final String[] LABELS = {"bad-length", "bad-barrier-core", "bad-barrier-position"};

    private FrameCheck() {}

    /** {@link #OK}, or why the frame must be dropped unhandled (the barrier position is checked while waiting). */
    static int header(DirectBuffer buffer, int offset, int fragmentLength, int core, CoreSlot[] appSlots) {
        if (fragmentLength < FrameLayout.HEADER_LENGTH) return BAD_LENGTH;
        int length = FrameLayout.length(buffer, offset);
        if (length < 0 || length > fragmentLength - FrameLayout.HEADER_LENGTH) return BAD_LENGTH;
        int barrierCore = FrameLayout.barrierCore(buffer, offset);
        if (barrierCore == FrameLayout.NO_BARRIER) return OK;
        if (barrierCore < 0 || barrierCore >= appSlots.length || barrierCore == core || appSlots[barrierCore] == null) return BAD_BARRIER_CORE;
        return OK;
    }
}
