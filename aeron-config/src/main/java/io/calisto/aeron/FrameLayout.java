package io.calisto.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The frame that crosses Aeron between the IO core and a core-actor (and back on the TX path):
 * a fixed 40-byte little-endian header, then the packet bytes exactly as on the wire.
 * <pre>
 *   0  rss hash      u32
 *   4  app id       i32
 *   8  ingress ns   i64  (System.nanoTime domain; open-loop scheduled time for synthetic traffic)
 *  16  length      i32  (packet bytes that follow)
 *  20  core        i32  (core the IO core dispatched to; the replying core on TX)
 *  24  barrier core i32 (-1: none) the core that still had this flow's previous packet when this one was sent
 *  28  (pad)
 *  32  barrier pos i64  that core's stream position after the previous packet: handle this one only once the
 *                       barrier core's completed position reached it (per-flow order across a core change)
 *  40  packet bytes
 * </pre>
 * <b>Batches.</b> An RX fragment (one Aeron claim) carries one or more frames back to back: the IO core puts
 * consecutive packets of a burst that go to the same core in one claim. Each frame starts 8-byte aligned (its
 * length rounded up by {@link #alignedLength}); the fragment's length says where the batch ends. A single frame is
 * the batch of one, so a reader that walks frames reads both. Every frame of a batch has its own stream position,
 * {@link #subFramePosition}: the position just after its bytes, and for the last one the fragment's own end
 * position (Aeron's {@code Header.position()}, which counts Aeron's frame header and alignment). Barriers and the
 * core slot's started/completed positions use these, so they name one packet, not a whole batch (see
 * docs/decisions.md 35). Replies on the TX streams stay one frame per fragment.
 */
public final class FrameLayout {
    public static final int RSS_OFFSET = 0;
    public static final int APP_OFFSET = 4;
    public static final int INGRESS_NS_OFFSET = 8;
    public static final int LENGTH_OFFSET = 16;
    public static final int CORE_OFFSET = 20;
    public static final int BARRIER_CORE_OFFSET = 24;
    public static final int BARRIER_POSITION_OFFSET = 32;
    public static final int HEADER_LENGTH = 40;
    public static final int NO_BARRIER = -1;

    private FrameLayout() {}

    public static void writeHeader(MutableDirectBuffer b, int offset, int rss, int app, long ingressNs, int length, int core) {
        writeHeader(b, offset, rss, app, ingressNs, length, core, NO_BARRIER, 0);
    }

    public static void writeHeader(MutableDirectBuffer b, int offset, int rss, int app, long ingressNs, int length, int core,
                                   int barrierCore, long barrierPosition) {
        b.putInt(offset + RSS_OFFSET, rss);
        b.putInt(offset + APP_OFFSET, app);
        b.putLong(offset + INGRESS_NS_OFFSET, ingressNs);
        b.putInt(offset + LENGTH_OFFSET, length);
        b.putInt(offset + CORE_OFFSET, core);
        b.putInt(offset + BARRIER_CORE_OFFSET, barrierCore);
        b.putLong(offset + BARRIER_POSITION_OFFSET, barrierPosition);
    }

    public static int barrierCore(DirectBuffer b, int offset) { return b.getInt(offset + BARRIER_CORE_OFFSET); }

    public static long barrierPosition(DirectBuffer b, int offset) { return b.getLong(offset + BARRIER_POSITION_OFFSET); }

    public static int rss(DirectBuffer b, int offset) { return b.getInt(offset + RSS_OFFSET); }

    public static int app(DirectBuffer b, int offset) { return b.getInt(offset + APP_OFFSET); }

    public static long ingressNs(DirectBuffer b, int offset) { return b.getLong(offset + INGRESS_NS_OFFSET); }

    public static int length(DirectBuffer b, int offset) { return b.getInt(offset + LENGTH_OFFSET); }

    public static int core(DirectBuffer b, int offset) { return b.getInt(offset + CORE_OFFSET); }

    public static int payloadOffset(int frameOffset) { return frameOffset + HEADER_LENGTH; }

    /** Bytes a frame of a {@code packetLength}-byte packet takes in a batch: header and packet, rounded up to 8. */
    public static int alignedLength(int packetLength) { return (HEADER_LENGTH + packetLength + 7) & ~7; }

    /**
     * The stream position after the frame that ends {@code frameEnd} bytes into a batch fragment of
     * {@code fragmentLength} bytes whose Aeron position (after it) is {@code fragmentEnd}. The last frame's position
     * is {@code fragmentEnd} itself; an earlier one's is where its bytes end in the stream, after the fragment's
     * 32-byte Aeron header. Strictly increasing along the batch, and the same on both sides of the stream.
     */
    public static long subFramePosition(long fragmentEnd, int fragmentLength, int frameEnd) {
        if (frameEnd >= fragmentLength) return fragmentEnd;
        int aligned = (AERON_HEADER + fragmentLength + AERON_ALIGNMENT - 1) & -AERON_ALIGNMENT;
        return fragmentEnd - aligned + AERON_HEADER + frameEnd;
    }

    /** Aeron's data frame header and frame alignment (io.aeron.protocol.DataHeaderFlyweight, FrameDescriptor). */
    private static final int AERON_HEADER = io.aeron.protocol.DataHeaderFlyweight.HEADER_LENGTH,
        AERON_ALIGNMENT = io.aeron.logbuffer.FrameDescriptor.FRAME_ALIGNMENT;
}
