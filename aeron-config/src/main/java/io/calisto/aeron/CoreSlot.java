package io.calisto.aeron;

import io.calisto.aeron.ffm.Futex;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The handshake between the IO core and one core-actor of one application, for one core: who owns the core now,
 * how far the actor has got in its stream, and where a revoked actor must drain to. Longs in an
 * {@link AtomicBuffer}, so the same code works over heap memory in one JVM or shared memory across JVMs.
 * <pre>
 *   PARKED ──grant(IO)──▶ GRANTED ──no work for park-after(actor)──▶ YIELD_REQUESTED
 *      ▲                     ▲  │                                      │      │
 *      │                     │  └──preempt/revoke(IO): drainTo=pub──┐  │      └─found work(actor)─▶ GRANTED
 *      │                     │                                      ▼  ▼
 *      └──completed≥drainTo(actor)── REVOKING ◀── yield accepted (IO, completed == published) ──┘
 *
 *   any state ──the core-actor died (its supervisor)──▶ FAILED (terminal: the IO core takes the core back and
 *                                                       counts what was queued as app-error)
 * </pre>
 * Apart from the state, the delivered word carries a <b>retired</b> mark the dataplane sets once, when it retires the
 * app ({@link #retire()}): from then on the core-actor hands no frame to the handler ({@link #deliver}).
 * Two positions, both written only by the actor with ordered (release) stores and read by anyone with volatile
 * reads: <b>started</b> moves when a packet's service begins (congestion reads it: a packet in service is not
 * waiting work, as in Shenango), <b>completed</b> when its handler returned (yield, drain and per-flow order read
 * it). A core changes hands only when completed == published, so a flow's next packet can never run elsewhere
 * while its previous one is still in a handler. Every transition two threads could race on is a CAS.
 */
public final class CoreSlot {
    public static final int PARKED = 0, GRANTED = 1, YIELD_REQUESTED = 2, REVOKING = 3, FAILED = 4;
    public static final int BYTES = 64; // one cache line per slot: slots of neighbouring cores never share a line
    private static final int STATE = 0, DRAIN_TO = 8, STARTED = 16, GRANTED_AT = 24, DELIVERED = 32, COMPLETED = 40, WOKEN_AT = 48,
        RX_SESSION = 56;
    /** Marks {@link #RX_SESSION} as set: an Aeron session id may be any int, 0 included. */
    private static final long SESSION_SET = 1L << 32;
    /** In the delivered word: the dataplane retired the app; no frame may be handled after it is set (decisions 44). */
    private static final long RETIRED_MARK = 1L << 62;

    private final AtomicBuffer buffer;
    private final int offset;
    /** Native address of the state word when the slot lives off-heap (a mapped file), else 0. */
    private final long stateAddress;
    private volatile Runnable waker = () -> {};

    public CoreSlot(AtomicBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        this.stateAddress = buffer.byteArray() == null ? buffer.addressOffset() + offset + STATE : 0;
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
        buffer.putLongRelease(offset + WOKEN_AT, System.nanoTime());
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

    /** When the IO core's wake call of the last grant returned (the grant-reaction breakdown of {@code bench grant}). */
    public long wokenAt() { return buffer.getLongVolatile(offset + WOKEN_AT); }

    public long drainTo() { return buffer.getLongVolatile(offset + DRAIN_TO); }

    /** Actor side (ordered write): the stream position after the packet whose service just began. */
    public void started(long position) { buffer.putLongRelease(offset + STARTED, position); }

    /** Volatile read of {@link #started(long)}: what the congestion check compares with what was published. */
    public long started() { return buffer.getLongVolatile(offset + STARTED); }

    /** Actor side (ordered write): the stream position after the last packet whose handler has returned. */
    public void completed(long position) { buffer.putLongRelease(offset + COMPLETED, position); }

    /** Volatile read of {@link #completed(long)}: yield and drain acceptance and per-flow barriers compare it. */
    public long completed() { return buffer.getLongVolatile(offset + COMPLETED); }

    /**
     * Supervisor side: the core-actor is dead. Terminal; an unconditional ordered write, because the actor can no
     * longer race (it is stopped) and the IO core must not be able to undo it.
     */
    public void fail() {
        buffer.putLongRelease(offset + STATE, FAILED);
        waker.run();
    }

    /** Actor side: packets handed to the app's handler on this core (so another process can count what was lost). */
    public void delivered(long packets) { buffer.putLongRelease(offset + DELIVERED, packets); }

    /**
     * Actor side, before handing a packet to the handler: sets the delivered count to {@code packets} unless the
     * dataplane retired the app ({@link #retire()}); false then, and the packet must not be handled. A CAS on the word
     * that also holds the retired mark, so a packet is either in the count the dataplane reads at retirement, or
     * never handled: never both counted app-gone and handled, however long the actor's process was stopped in between.
     */
    public boolean deliver(long packets) {
        for (;;) {
            long word = buffer.getLongVolatile(offset + DELIVERED);
            if ((word & RETIRED_MARK) != 0) return false;
            if (buffer.compareAndSetLong(offset + DELIVERED, word, packets)) return true;
        }
    }

    /**
     * Dataplane side, when the app is retired (unregistered or evicted): marks the slot so its core-actor handles no
     * further frame ({@link #deliver}, {@link #retired()}), and returns the delivered count the mark froze. A CAS
     * loop against the actor's {@link #deliver}; an app that keeps rewriting the word only delays its own retirement,
     * and after a bounded number of tries the mark is forced over the last count read.
     */
    public long retire() {
        long word = 0;
        for (int tries = 0; tries < 1_000; tries++) {
            word = buffer.getLongVolatile(offset + DELIVERED);
            if (buffer.compareAndSetLong(offset + DELIVERED, word, word | RETIRED_MARK)) return word & ~RETIRED_MARK;
        }
        buffer.putLongVolatile(offset + DELIVERED, word | RETIRED_MARK);
        return word & ~RETIRED_MARK;
    }

    /** Volatile read: true once the dataplane retired the app ({@link #retire()}); its core-actor stops handling frames. */
    public boolean retired() { return (buffer.getLongVolatile(offset + DELIVERED) & RETIRED_MARK) != 0; }

    /**
     * Volatile read of {@link #delivered(long)} as the actor wrote it (without the retired mark): app-writable memory
     * (an app in another process maps the slot, and so can anyone who can open the Aeron directory), so never report
     * it unchecked: bound it with {@link #believable}.
     */
    public long delivered() { return buffer.getLongVolatile(offset + DELIVERED) & ~RETIRED_MARK; }

    /**
     * What the dataplane believes of an app-written {@code delivered} count: at least 0 and at most {@code max}, what
     * the IO core dispatched to the core minus what it counted lost there (both its own numbers). Read the slot
     * first: an honest count never exceeds what was dispatched before it was written.
     */
    public static long believable(long delivered, long max) {
        return delivered <= 0 ? 0 : Math.min(delivered, Math.max(0, max));
    }

    /**
     * Slots for {@code count} cores in a file both processes map (e.g. under /dev/shm). {@code create}: a new,
     * zero-filled file; one left at that path is unlinked first, so a process that still maps it (the previous holder
     * of a reused app id) keeps its own copy and cannot write into the new one.
     */
    public static CoreSlot[] mapped(java.nio.file.Path file, int count, boolean create) {
        try {
            if (create) java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot remove old core slots " + file + ": " + e.getMessage(), e);
        }
        try (var ch = java.nio.channels.FileChannel.open(file, create
                ? new java.nio.file.OpenOption[] {java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE}
                : new java.nio.file.OpenOption[] {java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE})) {
            var map = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, (long) count * BYTES);
            UnsafeBuffer buffer = new UnsafeBuffer(map);
            CoreSlot[] slots = new CoreSlot[count];
            for (int i = 0; i < count; i++) slots[i] = new CoreSlot(buffer, i * BYTES);
            return slots;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot map core slots " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * IO side, before the core's actor starts: the Aeron session id of the RX publication the IO core writes this
     * core's packets to. An app id, and so its stream ids, is reused once its holder is gone, and Aeron may still hold
     * that holder's closed publication on the same stream with frames nobody consumed (it lingers while a subscriber
     * of the old app, e.g. in a JVM that died, still counts): a core-actor subscribes to this session only, so it
     * never sees another holder's frames (docs/decisions.md, "App ids are reused").
     */
    public void rxSession(int sessionId) { buffer.putLongRelease(offset + RX_SESSION, SESSION_SET | Integer.toUnsignedLong(sessionId)); }

    /** True once the IO side named the RX session ({@link #rxSession(int)}); a slot made by hand in a test may have none. */
    public boolean hasRxSession() { return (buffer.getLongVolatile(offset + RX_SESSION) & SESSION_SET) != 0; }

    /** The RX publication's session id ({@link #rxSession(int)}); meaningful only when {@link #hasRxSession()}. */
    public int rxSession() { return (int) buffer.getLongVolatile(offset + RX_SESSION); }

    /** Actor side, in-JVM only: how the IO core wakes the parked actor thread (e.g. LockSupport.unpark). */
    public void waker(Runnable waker) { this.waker = waker; }

    /**
     * Actor side: block while the slot is parked, at most {@code timeoutNanos} (callers re-check the state). Off-heap
     * slots wait on a futex on the state word, which the IO core may wake from another process
     * ({@link #wakeAcrossProcesses}); heap slots park the thread for {@link #waker}'s unpark.
     */
    public void awaitGrant(long timeoutNanos) {
        if (stateAddress != 0) Futex.await(stateAddress, PARKED, timeoutNanos);
        else java.util.concurrent.locks.LockSupport.parkNanos(timeoutNanos);
    }

    /** IO side, for a slot whose actor lives in another process: grants and revokes wake it through the futex. */
    public void wakeAcrossProcesses() {
        if (stateAddress == 0) throw new IllegalStateException("a heap slot cannot be shared with another process");
        this.waker = () -> Futex.wake(stateAddress, Integer.MAX_VALUE);
    }

    public static String name(int state) {
        return switch (state) {
            case PARKED -> "parked";
            case GRANTED -> "granted";
            case YIELD_REQUESTED -> "yield-requested";
            case REVOKING -> "revoking";
            case FAILED -> "failed";
            default -> "unknown(" + state + ")";
        };
    }
}
