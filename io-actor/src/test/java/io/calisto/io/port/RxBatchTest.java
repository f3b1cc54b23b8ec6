package io.calisto.io.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Native mode reads each descriptor's fields at use, at the layout's offsets; owned mode is back after count(n). */
class RxBatchTest {
    // a made-up descriptor layout, deliberately not DPDK's, so the offsets really come from the layout
    static final RxBatch.NativeLayout LAYOUT = new RxBatch.NativeLayout(8, 0, 2, 16, 1L << 5, 24);

    @Test
    void nativeBurstReadsDescriptorsInPlace() {
        UnsafeBuffer mem = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        long base = mem.addressOffset();
        // two data buffers at 1024 and 2048, two descriptors at 256 and 320, the pointer array at 0
        for (int i = 0; i < 64; i++) mem.putByte(1024 + i, (byte) i);
        for (int i = 0; i < 64; i++) mem.putByte(2048 + i, (byte) (100 + i));
        descriptor(mem, 256, base + 1024, 4, 60, 0, 0);
        descriptor(mem, 320, base + 2048, 0, 42, (1L << 5) | 1, 0xdeadbeef);
        mem.putLong(0, base + 256);
        mem.putLong(8, base + 320);

        RxBatch batch = new RxBatch(4);
        batch.nativeBurst(base, 2, LAYOUT, 777);
        assertEquals(2, batch.count());
        assertEquals(60, batch.length(0));
        assertEquals(60, batch.frame(0).capacity());
        assertEquals(4, batch.frame(0).getByte(0), "data starts at buf + data offset");
        assertFalse(batch.rssValid(0));
        assertEquals(42, batch.length(1));
        assertEquals(100, batch.frame(1).getByte(0));
        assertTrue(batch.rssValid(1));
        assertEquals(0xdeadbeef, batch.rssHash(1));
        assertEquals(777, batch.rxNanos(1));
        assertEquals(base + 320, batch.descriptor(1));
        assertThrows(IndexOutOfBoundsException.class, () -> batch.descriptor(2));

        // an owned-mode burst afterwards is read from the slots again
        batch.ownedFrame(0).putByte(0, (byte) 9);
        batch.set(0, 10, 5, true, 7);
        batch.count(1);
        assertEquals(10, batch.length(0));
        assertEquals(9, batch.frame(0).getByte(0));
        assertEquals(7, batch.rssHash(0));
        assertEquals(5, batch.rxNanos(0));
    }

    private static void descriptor(UnsafeBuffer mem, int at, long buf, int dataOff, int len, long flags, int hash) {
        mem.putShort(at, (short) dataOff);
        mem.putShort(at + 2, (short) len);
        mem.putLong(at + 8, buf);
        mem.putLong(at + 16, flags);
        mem.putInt(at + 24, hash);
    }
}
