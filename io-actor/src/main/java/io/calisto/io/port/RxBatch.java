package io.calisto.io.port;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A preallocated receive burst. A port fills slots {@code 0..count-1}: either by copying into the slot's
 * own storage ({@link #ownedFrame}) or, for zero-copy ports, by pointing the slot at native memory
 * ({@link #wrapNative}). Nothing here allocates after construction.
 */
public final class RxBatch {
    /** Largest frame a slot holds: a jumbo-free Ethernet frame plus VLAN tags fits with room to spare. */
    public static final int SLOT_BYTES = 2048;

    private final UnsafeBuffer[] frames;
    private final ByteBuffer[] owned;
    private final int[] lengths;
    private final int[] rssHash;
    private final boolean[] rssValid;
    private final long[] rxNanos;
    private final long[] handles;
    private int count;

    public RxBatch(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("batch capacity must be > 0, was " + capacity);
        frames = new UnsafeBuffer[capacity];
        owned = new ByteBuffer[capacity];
        lengths = new int[capacity];
        rssHash = new int[capacity];
        rssValid = new boolean[capacity];
        rxNanos = new long[capacity];
        handles = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            owned[i] = ByteBuffer.allocateDirect(SLOT_BYTES);
            frames[i] = new UnsafeBuffer(owned[i]);
        }
    }

    public int capacity() { return frames.length; }

    public int count() { return count; }

    public void count(int count) { this.count = count; }

    /** The slot's own storage, ready to be written; length is set separately. */
    public UnsafeBuffer ownedFrame(int i) {
        UnsafeBuffer b = frames[i];
        if (b.byteBuffer() != owned[i]) b.wrap(owned[i]);
        return b;
    }

    /** Points slot {@code i} at native memory (e.g. an mbuf's data); {@code handle} is what the port frees later. */
    public void wrapNative(int i, long address, int length, long handle) {
        frames[i].wrap(address, length);
        handles[i] = handle;
    }

    public UnsafeBuffer frame(int i) { return frames[i]; }

    public int length(int i) { return lengths[i]; }

    public long handle(int i) { return handles[i]; }

    public long rxNanos(int i) { return rxNanos[i]; }

    public boolean rssValid(int i) { return rssValid[i]; }

    public int rssHash(int i) { return rssHash[i]; }

    /** Records slot metadata; {@code rssValid} says whether the NIC supplied the hash. */
    public void set(int i, int length, long rxNanos, boolean rssValid, int rssHash) {
        this.lengths[i] = length;
        this.rxNanos[i] = rxNanos;
        this.rssValid[i] = rssValid;
        this.rssHash[i] = rssHash;
    }
}
