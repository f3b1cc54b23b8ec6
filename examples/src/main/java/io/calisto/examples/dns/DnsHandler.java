package io.calisto.examples.dns;

import io.calisto.core.PacketContext;
import io.calisto.core.PacketHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The packet handler: one per core the app holds, so its reply buffer and the responder's scratch state need no
 * locks. Per packet: parse the frame, answer the query into the preallocated buffer, send it back through the IO
 * core ({@link PacketContext#reply}). Nothing is allocated per packet.
 */
public final class DnsHandler implements PacketHandler {
    /** Counter indexes in the shared {@link AtomicLongArray}: RCODEs 0-5, BADVERS, dropped, reply failures. */
    public static final int BADVERS = 6, DROPPED = 7, REPLY_FAILED = 8, COUNTERS = 9;
    public static final String[] NAMES = {"noerror", "formerr", "servfail", "nxdomain", "notimp", "refused", "badvers", "dropped", "reply-failed"};

    private final DnsResponder dns;
    private final AtomicLongArray counters;
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));

    public DnsHandler(Zone zone, AtomicLongArray counters) {
        this.dns = new DnsResponder(zone);
        this.counters = counters;
    }

    @Override
    public void onPacket(PacketContext ctx) {
        int len = UdpFrames.reply(ctx.buffer(), ctx.offset(), ctx.length(), frame, dns);
        if (len < 0) {
            counters.incrementAndGet(DROPPED);
            return;
        }
        int rcode = dns.lastRcode();
        counters.incrementAndGet(rcode == DnsResponder.BADVERS ? BADVERS : rcode);
        if (!ctx.reply(frame, 0, len)) counters.incrementAndGet(REPLY_FAILED);
    }
}
