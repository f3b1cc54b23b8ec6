package io.calisto.io.parse;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** Builds test frames byte by byte, independent of the code under test. */
public final class Frames {
    private final ByteBuffer b = ByteBuffer.allocate(2048);

    public static Frames eth(int... vlanTypes) {
        Frames f = new Frames();
        f.b.put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2});
        for (int t : vlanTypes) f.b.putShort((short) t).putShort((short) 42);
        return f;
    }

    public Frames type(int t) { b.putShort((short) t); return this; }

    public Frames ipv4(int ihlWords, int totalLength, int fragField, int proto, int src, int dst) {
        b.put((byte) (0x40 | ihlWords)).put((byte) 0).putShort((short) totalLength).putShort((short) 0).putShort((short) fragField)
            .put((byte) 64).put((byte) proto).putShort((short) 0).putInt(src).putInt(dst);
        for (int i = 5; i < ihlWords; i++) b.putInt(0x01010101); // NOP options
        return this;
    }

    public Frames ipv6(int payloadLength, int next, long srcHi, long srcLo, long dstHi, long dstLo) {
        b.putInt(0x60000000).putShort((short) payloadLength).put((byte) next).put((byte) 64)
            .putLong(srcHi).putLong(srcLo).putLong(dstHi).putLong(dstLo);
        return this;
    }

    public Frames ext(int next, int lenField, int bytes) {
        b.put((byte) next).put((byte) lenField);
        for (int i = 2; i < bytes; i++) b.put((byte) 0);
        return this;
    }

    public Frames fragment6(int next, int offsetUnits) {
        b.put((byte) next).put((byte) 0).putShort((short) (offsetUnits << 3)).putInt(7);
        return this;
    }

    public Frames udp(int sport, int dport, int payload) {
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) b.put((byte) i);
        return this;
    }

    public Frames tcp(int sport, int dport, int dataOffsetWords) {
        b.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0).put((byte) (dataOffsetWords << 4)).put((byte) 0x18)
            .putShort((short) 1000).putInt(0);
        return this;
    }

    public Frames bytes(int n) {
        for (int i = 0; i < n; i++) b.put((byte) 0);
        return this;
    }

    public int length() { return b.position(); }

    public UnsafeBuffer buffer() {
        byte[] a = new byte[2048];
        System.arraycopy(b.array(), 0, a, 0, b.position());
        return new UnsafeBuffer(a);
    }
}
