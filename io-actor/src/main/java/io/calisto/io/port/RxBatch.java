package io.calisto.io.port;

import java.nio.ByteBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A preallocated receive burst. A port fills slots {@code 0..count-1} in one of two ways: by copying into the slot's
 * own storage ({@link #ownedFrame} + {@link #set}), or, for zero-copy ports, by handing over its array of native
 * descriptors ({@link #nativeBurst}); then nothing is copied or decoded at receive time and each accessor reads the
 * descriptor when the IO core asks, once, at the point of use (the rx path itself stays as cheap as the PMD's
 * burst). Nothing here allocates after construction.
 */
public final class RxBatch {
    /** Largest frame a slot holds: a jumbo-free Ethernet frame plus VLAN tags fits with room to spare. */
    public static final int SLOT_BYTES = 2048;

    /**
     * Where a native descriptor (e.g. a DPDK mbuf) keeps what the IO core reads, as byte offsets from the
     * descriptor's address: the buffer address (u64), the data offset into it (u16), the data length (u16), the
     * offload flags (u64) with the bit that says the hash is valid, and the hash (u32).
     */
    public record NativeLayout(long bufAddr, long dataOff, long dataLen, long flags, long rssValidBit, long rssHash) {}

    private final UnsafeBuffer[] frames;
    private final ByteBuffer[] owned;
    private final int[] lengths;
    private final int[] rssHash;
    private final boolean[] rssValid;
    private final long[] rxNanos;
    private int count;
    // native mode: descriptors at descriptors[0..count-1] (an array of pointers in native memory)
    private NativeLayout layout;
    private long descriptors;
    private long burstNanos;

    public RxBatch(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("batch capacity must be > 0, was " + capacity);
        frames = new UnsafeBuffer[capacity];
        owned = new ByteBuffer[capacity];
        lengths = new int[capacity];
        rssHash = new int[capacity];
        rssValid = new boolean[capacity];
        rxNanos = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            owned[i] = ByteBuffer.allocateDirect(SLOT_BYTES);
            frames[i] = new UnsafeBuffer(owned[i]);
        }
    }

    public int capacity() { return frames.length; }

    public int count() { return count; }

    /** Ends a burst filled through {@link #ownedFrame}/{@link #set}. */
    public void count(int count) {
        this.layout = null;
        this.count = count;
    }

    /**
     * A zero-copy burst: {@code count} descriptor pointers at native address {@code descriptors}, all received at
     * {@code rxNanos}, laid out as {@code layout} says. The port keeps the descriptors alive until it is asked to
     * release the batch.
     */
    public void nativeBurst(long descriptors, int count, NativeLayout layout, long rxNanos) {
        this.descriptors = descriptors;
        this.layout = layout;
        this.burstNanos = rxNanos;
        this.count = count;
    }

    /** The slot's own storage, ready to be written; length is set separately. */
    public UnsafeBuffer ownedFrame(int i) {
        UnsafeBuffer b = frames[i];
        if (b.byteBuffer() != owned[i]) b.wrap(owned[i]);
        return b;
    }

    /** Slot {@code i}'s frame: its own storage, or (native mode) a view of the descriptor's data, in place. */
    public UnsafeBuffer frame(int i) {
        UnsafeBuffer b = frames[i];
        NativeLayout l = layout;
        if (l != null) {
            long d = descriptor(i);
            b.wrap(UnsafeApi.getLong(d + l.bufAddr()) + (UnsafeApi.getShort(d + l.dataOff()) & 0xffff), nativeLength(d, l));
        }
        return b;
    }

    /**
     * Makes slot {@code i}'s frame ready ({@link #loadedFrame}) and returns its length: the IO core's one read of the
     * slot. In native mode each descriptor field it needs (buffer address, data offset, data length) is read once
     * here; {@link #frame} followed by {@link #length} would read the data length twice.
     */
    public int load(int i) {
        NativeLayout l = layout;
        UnsafeBuffer b = frames[i];
        if (l == null) {
            if (b.byteBuffer() != owned[i]) b.wrap(owned[i]);
            return lengths[i];
        }
        long d = descriptor(i);
        int len = nativeLength(d, l);
        b.wrap(UnsafeApi.getLong(d + l.bufAddr()) + (UnsafeApi.getShort(d + l.dataOff()) & 0xffff), len);
        return len;
    }

    /** Slot {@code i}'s frame as the last {@link #load}{@code (i)} left it; reads nothing. */
    public UnsafeBuffer loadedFrame(int i) { return frames[i]; }

    public int length(int i) {
        NativeLayout l = layout;
        return l == null ? lengths[i] : nativeLength(descriptor(i), l);
    }

    public long rxNanos(int i) { return layout == null ? rxNanos[i] : burstNanos; }

    public boolean rssValid(int i) {
        NativeLayout l = layout;
        return l == null ? rssValid[i] : (UnsafeApi.getLong(descriptor(i) + l.flags()) & l.rssValidBit()) != 0;
    }

    public int rssHash(int i) {
        NativeLayout l = layout;
        return l == null ? rssHash[i] : UnsafeApi.getInt(descriptor(i) + l.rssHash());
    }

    /** Native mode: the descriptor of slot {@code i} (what the port frees later). */
    public long descriptor(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException(i);
        return UnsafeApi.getLong(descriptors + 8L * i);
    }

    private static int nativeLength(long d, NativeLayout l) { return UnsafeApi.getShort(d + l.dataLen()) & 0xffff; }

    /**
     * Records slot metadata; {@code rssValid} says whether the NIC supplied the hash. {@code length} is the frame's
     * whole length, even when the port could store only the first {@link #SLOT_BYTES} of it: the IO core then counts
     * the frame too-large rather than taking the cut frame for all of it.
     */
    public void set(int i, int length, long rxNanos, boolean rssValid, int rssHash) {
        this.lengths[i] = length;
        this.rxNanos[i] = rxNanos;
        this.rssValid[i] = rssValid;
        this.rssHash[i] = rssHash;
    }
}
