package io.calisto.aeron;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The handshake between the IO core and one core-actor of one application, for one core: who owns the core now,
 * how far the actor has consumed its stream, and where a revoked actor must drain to. Three longs in an
 * {@link AtomicBuffer}, so the same code works over heap memory in one JVM or shared memory across JVMs.
 * <pre>
 *   PARKED ──grant(IO)──▶ GRANTED ──no work for park-after(actor)──▶ YIELD_REQUESTED
 *      ▲                     ▲  │                                      │      │
 *      │                     │  └──preempt/revoke(IO): drainTo=pub──┐  │      └─found work(actor)─▶ GRANTED
 *      │                     │                                      ▼  ▼
 *      └────drained(actor)── REVOKING ◀─────────── yield accepted (IO, stream empty) ──┘
 * </pre>
 * Every transition that two threads could race on is a CAS, so exactly one side wins.
 */
public final class CoreSlot {
    public static final int PARKED = 0, GRANTED = 1, YIELD_REQUESTED = 2, REVOKING = 3;
    public static final int BYTES = 32;
    private static final int STATE = 0, DRAIN_TO = 8, CONSUMED = 16, GRANTED_AT = 24;

    private final AtomicBuffer buffer;
    private final int offset;
    private volatile Runnable waker = () -> {};

    public CoreSlot(AtomicBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
    }

    /** A slot in its own heap memory, for one JVM. */
    public static CoreSlot onHeap() { return new CoreSlot(new UnsafeBuffer(new byte[BYTES]), 0); }

    public int state() { return (int) buffer.getLongVolatile(offset + STATE); }

    public boolean cas(int expected, int next) { return buffer.compareAndSetLong(offset + STATE, expected, next); }

    /** IO side: start owning the core and wake the parked actor. */
    public void grant() {
        buffer.putLongRelease(offset + GRANTED_AT, System.nanoTime());
        buffer.putLongRelease(offset + STATE, GRANTED);
        waker.run();
    }

    /** IO side: the actor must consume up to {@code position} and then park. Valid from GRANTED or YIELD_REQUESTED. */
    public boolean revoke(int from, long position) {
        buffer.putLongRelease(offset + DRAIN_TO, position);
        if (!cas(from, REVOKING)) return false;
        waker.run();
        return true;
    }

    /** When the IO core last granted this core ({@link System#nanoTime()}): the start of the grant reaction time. */
    public long grantedAt() { return buffer.getLongVolatile(offset + GRANTED_AT); }

    public long drainTo() { return buffer.getLongVolatile(offset + DRAIN_TO); }

    /** Actor side: the stream position it has consumed up to (written after every poll). */
    public void consumed(long position) { buffer.putLongRelease(offset + CONSUMED, position); }

    public long consumed() { return buffer.getLongVolatile(offset + CONSUMED); }

    /** Actor side, in-JVM only: how the IO core wakes the parked actor thread (e.g. LockSupport.unpark). */
    public void waker(Runnable waker) { this.waker = waker; }

    public static String name(int state) {
        return switch (state) {
            case PARKED -> "parked";
            case GRANTED -> "granted";
            case YIELD_REQUESTED -> "yield-requested";
            case REVOKING -> "revoking";
            default -> "unknown(" + state + ")";
        };
    }
}
