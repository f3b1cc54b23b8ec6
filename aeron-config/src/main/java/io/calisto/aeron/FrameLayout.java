package io.calisto.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The frame that crosses Aeron between the IO core and a core-actor (and back on the TX path):
 * a fixed 24-byte little-endian header, then the packet bytes exactly as on the wire.
 * <pre>
 *   0  rss hash      u32
 *   4  app id       i32
 *   8  ingress ns   i64  (System.nanoTime domain; open-loop scheduled time for synthetic traffic)
 *  16  length      i32  (packet bytes that follow)
 *  20  core        i32  (core the IO core dispatched to; the replying core on TX)
 *  24  packet bytes
 * </pre>
 */
public final class FrameLayout {
    public static final int RSS_OFFSET = 0;
    public static final int APP_OFFSET = 4;
    public static final int INGRESS_NS_OFFSET = 8;
    public static final int LENGTH_OFFSET = 16;
    public static final int CORE_OFFSET = 20;
    public static final int HEADER_LENGTH = 24;

    private FrameLayout() {}

    public static void writeHeader(MutableDirectBuffer b, int offset, int rss, int app, long ingressNs, int length, int core) {
        b.putInt(offset + RSS_OFFSET, rss);
        b.putInt(offset + APP_OFFSET, app);
        b.putLong(offset + INGRESS_NS_OFFSET, ingressNs);
        b.putInt(offset + LENGTH_OFFSET, length);
        b.putInt(offset + CORE_OFFSET, core);
    }

    public static int rss(DirectBuffer b, int offset) { return b.getInt(offset + RSS_OFFSET); }

    public static int app(DirectBuffer b, int offset) { return b.getInt(offset + APP_OFFSET); }

    public static long ingressNs(DirectBuffer b, int offset) { return b.getLong(offset + INGRESS_NS_OFFSET); }

    public static int length(DirectBuffer b, int offset) { return b.getInt(offset + LENGTH_OFFSET); }

    public static int core(DirectBuffer b, int offset) { return b.getInt(offset + CORE_OFFSET); }

    public static int payloadOffset(int frameOffset) { return frameOffset + HEADER_LENGTH; }
}
