package io.calisto.control.soak;

import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.agrona.DirectBuffer;

/**
 * Checks the dataplane's per-flow promise for one app: a flow's packets are handled one at a time, in arrival order.
 * A flow is its RSS hash (the dataplane dispatches by hash, so two 5-tuples sharing one are one flow to it). Shared
 * by all of the app's core-actors, so every field is atomic: when the promise holds there is never contention on a
 * flow's slot, and when it breaks the atomics are what lets the break be seen rather than raced over.
 * Open addressing over preallocated arrays: no allocation and no boxing per packet.
 */
public final class OrderChecker {
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    /** A claimed slot's key has this bit set, so RSS hash 0 is distinguishable from an empty slot. */
    private static final long USED = 1L << 32;
    /** {@link #enter}'s token when this packet does not own the flow's in-service flag: {@link #exit} leaves it alone. */
    public static final int NO_TOKEN = -1;

    private final int mask;
    private final AtomicLongArray keys;
    private final AtomicLongArray lastSeq;
    private final AtomicIntegerArray inService;
    private final LongAdder handled = new LongAdder(), reordered = new LongAdder(), overlapped = new LongAdder();
    private final LongAdder tableFull = new LongAdder();

    /** Room for {@code flows} distinct hashes at a load factor of at most 1/2. */
    public OrderChecker(int flows) {
        int capacity = Integer.highestOneBit(Math.max(2, flows) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.keys = new AtomicLongArray(capacity);
        this.lastSeq = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) lastSeq.setPlain(i, -1); // sequence numbers start at 0
        this.inService = new AtomicIntegerArray(capacity);
    }

    /**
     * A packet of flow {@code rssHash} carrying {@code seq} begins its service. Counts it as reordered if the flow's
     * last handled packet had a higher seq, and as overlapped if another packet of the flow is still in service.
     * Returns the token to hand to {@link #exit}.
     */
    public int enter(int rssHash, long seq) {
        handled.increment();
        int slot = slot(rssHash);
        if (slot < 0) {
            tableFull.increment(); // cannot happen when flows was given right; counted so it cannot hide a check
            return NO_TOKEN;
        }
        long prev = lastSeq.getAndSet(slot, seq);
        if (seq < prev) reordered.increment();
        if (!inService.compareAndSet(slot, 0, 1)) {
            overlapped.increment();
            return NO_TOKEN;
        }
        return slot;
    }

    /** The packet's service ended (its handler is about to return). */
    public void exit(int token) {
        if (token >= 0) inService.set(token, 0);
    }

    private int slot(int rssHash) {
        long key = USED | Integer.toUnsignedLong(rssHash);
        int i = mix(rssHash) & mask;
        for (int probes = 0; probes <= mask; probes++, i = (i + 1) & mask) {
            long k = keys.get(i);
            if (k == key) return i;
            if (k == 0) {
                if (keys.compareAndSet(i, 0, key)) return i;
                if (keys.get(i) == key) return i; // another core-actor claimed it for the same flow
            }
        }
        return -1;
    }

    /** Spreads hashes whose low bits collide (RSS hashes are well mixed, but a cheap finaliser costs nothing). */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        return h ^ (h >>> 13);
    }

    /**
     * The generator's global sequence number: a big-endian long at the start of the L4 payload (after the UDP or TCP
     * header, over IPv4 or IPv6), as SyntheticPort writes it. -1 when the frame is too short to carry one.
     */
    public static long seqOf(DirectBuffer b, int offset, int length) {
        boolean v6 = (b.getShort(offset + 12, BE) & 0xffff) == 0x86dd;
        int proto = b.getByte(offset + (v6 ? 20 : 23)) & 0xff;
        int l4 = v6 ? 54 : 14 + (b.getByte(offset + 14) & 0x0f) * 4;
        int payload = l4 + (proto == 6 ? 20 : 8);
        return payload + 8 <= length ? b.getLong(offset + payload, BE) : -1;
    }

    public long handled() { return handled.sum(); }

    public long reordered() { return reordered.sum(); }

    public long overlapped() { return overlapped.sum(); }

    /** Packets that found no slot (the table was sized for fewer flows): they were not checked. */
    public long unchecked() { return tableFull.sum(); }
}
