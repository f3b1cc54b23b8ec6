package io.calisto.io.port;

import java.nio.ByteBuffer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** A preallocated transmit burst: frames are copied in, the port sends {@code 0..count-1}. */
public final class TxBatch {
    private final UnsafeBuffer[] frames;
    private final int[] lengths;
    private int count;

    public TxBatch(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("batch capacity must be > 0, was " + capacity);
        frames = new UnsafeBuffer[capacity];
        lengths = new int[capacity];
        for (int i = 0; i < capacity; i++) frames[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(RxBatch.SLOT_BYTES));
    }

    public int capacity() { return frames.length; }

    public int count() { return count; }

    public boolean isFull() { return count == frames.length; }

    public void clear() { count = 0; }

    /** Copies a frame in; returns false (and copies nothing) when full or the frame exceeds a slot. */
    public boolean add(DirectBuffer src, int offset, int length) {
        if (count == frames.length || length > RxBatch.SLOT_BYTES || length < 0) return false;
        frames[count].putBytes(0, src, offset, length);
        lengths[count++] = length;
        return true;
    }

    public UnsafeBuffer frame(int i) { return frames[i]; }

    public int length(int i) { return lengths[i]; }
}
