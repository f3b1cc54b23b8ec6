package io.calisto.core.demo;

import com.typesafe.config.Config;
import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketContext;
import io.calisto.core.PacketHandler;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The embedded default application: a UDP/TCP echo that swaps source and destination (MAC, IP, port) and sends
 * the frame back, after an optional busy service time (Shenango's synthetic app). Checksums stay valid because
 * swapping fields does not change a ones'-complement sum.
 */
public final class EchoApp implements PacketHandler {
    private final long serviceNanos;
    private final UnsafeBuffer scratch = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(4096));

    public EchoApp(long serviceNanos) { this.serviceNanos = serviceNanos; }

    public static AppSpec spec(Config demo) {
        long service = demo.getLong("service-time-ns");
        if (service < 0) throw new IllegalArgumentException("calisto.demo.service-time-ns must be >= 0, was " + service);
        return new AppSpec("echo", MatchRule.parse(demo.getString("match")), core -> new EchoApp(service));
    }

    @Override
    public void onPacket(PacketContext ctx) {
        if (serviceNanos > 0) {
            long end = System.nanoTime() + serviceNanos;
            while (System.nanoTime() < end) Thread.onSpinWait();
        }
        int len = ctx.length();
        if (len > scratch.capacity()) return;
        scratch.putBytes(0, ctx.buffer(), ctx.offset(), len);
        if (swap(scratch, len)) ctx.reply(scratch, 0, len);
    }

    /** Swaps addresses and ports in place; false when the frame is not one we can echo. */
    static boolean swap(UnsafeBuffer f, int len) {
        if (len < 14) return false;
        swapBytes(f, 0, 6, 6);
        int l3 = 14;
        int type = f.getShort(12, ByteOrder.BIG_ENDIAN) & 0xffff;
        while ((type == 0x8100 || type == 0x88a8) && l3 + 4 <= len) {
            type = f.getShort(l3 + 2, ByteOrder.BIG_ENDIAN) & 0xffff;
            l3 += 4;
        }
        int l4, proto;
        if (type == 0x0800 && l3 + 20 <= len) {
            swapBytes(f, l3 + 12, l3 + 16, 4);
            proto = f.getByte(l3 + 9) & 0xff;
            l4 = l3 + (f.getByte(l3) & 0x0f) * 4;
        } else if (type == 0x86dd && l3 + 40 <= len) {
            swapBytes(f, l3 + 8, l3 + 24, 16);
            proto = f.getByte(l3 + 6) & 0xff;
            l4 = l3 + 40;
        } else {
            return false;
        }
        if ((proto == 6 || proto == 17) && l4 + 4 <= len) swapBytes(f, l4, l4 + 2, 2);
        return true;
    }

    private static void swapBytes(UnsafeBuffer f, int a, int b, int n) {
        for (int i = 0; i < n; i++) {
            byte t = f.getByte(a + i);
            f.putByte(a + i, f.getByte(b + i));
            f.putByte(b + i, t);
        }
    }
}
