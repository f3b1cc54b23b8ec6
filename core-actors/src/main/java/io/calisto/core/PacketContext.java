package io.calisto.core;

import io.aeron.ExclusivePublication;
import io.calisto.aeron.FrameLayout;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The packet being handled, as a reusable flyweight over the Aeron frame (no copy, no allocation), plus the
 * reply path: {@link #reply} sends a frame back to the IO core, which transmits it on the port.
 */
public final class PacketContext {
    private final int core;
    private final ExclusivePublication tx;
    private final UnsafeBuffer replyHeader = new UnsafeBuffer(new byte[FrameLayout.HEADER_LENGTH]);
    private DirectBuffer buffer;
    private int frameOffset;
    private long replyFailures;

    PacketContext(int core, ExclusivePublication tx) {
        this.core = core;
        this.tx = tx;
    }

    void wrap(DirectBuffer buffer, int frameOffset) {
        this.buffer = buffer;
        this.frameOffset = frameOffset;
    }

    /** Buffer holding the packet; bytes are at {@link #offset()}..+{@link #length()}. */
    public DirectBuffer buffer() { return buffer; }

    public int offset() { return FrameLayout.payloadOffset(frameOffset); }

    public int length() { return FrameLayout.length(buffer, frameOffset); }

    public int rssHash() { return FrameLayout.rss(buffer, frameOffset); }

    public long ingressNanos() { return FrameLayout.ingressNs(buffer, frameOffset); }

    public int appId() { return FrameLayout.app(buffer, frameOffset); }

    /** The core this handler runs on. */
    public int core() { return core; }

    /**
     * Sends {@code src[offset..offset+length)} out of the port; the reply keeps this packet's ingress timestamp so
     * the IO core can measure the round trip. Returns false (and counts it) when the TX stream is full.
     */
    public boolean reply(DirectBuffer src, int offset, int length) {
        FrameLayout.writeHeader(replyHeader, 0, rssHash(), appId(), ingressNanos(), length, core);
        for (int attempt = 0; attempt < 3; attempt++) {
            long r = tx.offer(replyHeader, 0, FrameLayout.HEADER_LENGTH, src, offset, length);
            if (r >= 0) return true;
            if (r == io.aeron.Publication.CLOSED || r == io.aeron.Publication.NOT_CONNECTED) break;
        }
        replyFailures++;
        return false;
    }

    long replyFailures() { return replyFailures; }
}
