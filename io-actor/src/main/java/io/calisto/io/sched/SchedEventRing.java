package io.calisto.io.sched;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Scheduling decisions on their way from the IO thread to the control plane, encoded into a preallocated
 * single-producer ring: the IO thread allocates nothing per grant or yield (a queue of event objects did, once per
 * decision, up to one per 5 µs check). The reader rebuilds {@link SchedEvent}s off the IO thread. Reasons travel
 * as ASCII (a non-ASCII character of an app name in a preemption reason arrives as '?').
 */
public final class SchedEventRing {
    private static final int TYPE = 0, APP = 4, CORE = 8, NOW = 12, SIGNAL = 20, REASON = 28;
    private final OneToOneRingBuffer ring;

    /** Room for {@code bytes} of events (a power of two; ~64 bytes each). */
    public SchedEventRing(int bytes) {
        ring = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(bytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** IO thread only. False when the ring is full (the caller counts the event as lost). */
    public boolean offer(int type, int appId, int core, String reason, long nowNanos, long signal) {
        int length = REASON + 4 + reason.length();
        int index = ring.tryClaim(1, length);
        if (index <= 0) return false;
        var b = ring.buffer();
        b.putInt(index + TYPE, type);
        b.putInt(index + APP, appId);
        b.putInt(index + CORE, core);
        b.putLong(index + NOW, nowNanos);
        b.putLong(index + SIGNAL, signal);
        b.putStringAscii(index + REASON, reason);
        ring.commit(index);
        return true;
    }

    /** One reader thread: hands every queued event to {@code to}, in order; returns how many. */
    public int drain(Consumer<SchedEvent> to) {
        return ring.read((type, b, i, len) -> to.accept(new SchedEvent(b.getInt(i + TYPE), b.getInt(i + APP), b.getInt(i + CORE),
            b.getStringAscii(i + REASON), b.getLong(i + NOW), b.getLong(i + SIGNAL))), Integer.MAX_VALUE);
    }
}
