package io.calisto.core.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Crafted messages of a few bytes whose lengths claim 400,000,000 elements (the 16-byte {@code int[]} froze a
 * dataplane for 3 s) are refused before anything is allocated for them: each becomes {@link KryoSerializer.Undecodable},
 * is counted once, and the thread allocates less than a megabyte while decoding it.
 */
class KryoBoundsTest {
    static final int CLAIM = 400_000_000;
    /** Far below the gigabytes a believed claim would cost, far above the few kilobytes the refusal takes. */
    static final long ALLOCATION_LIMIT = 1 << 20;

    // a shared 2-CPU machine at load 35 once took longer than Pekko's 5 s to start the logger
    static final ActorTestKit kit = ActorTestKit.create("kryo-bounds", ConfigFactory.parseString("pekko.logger-startup-timeout = 30s")
        .withFallback(ConfigFactory.load()));
    static final KryoSerializer serializer = KryoSerializer.of(kit.system());

    @AfterAll
    static void stop() { kit.shutdownTestKit(); }

    /** Kryo writes a registered class as varint(id + 2). */
    static byte[] message(int classId, Consumer<Output> body) {
        Output out = new Output(16, 1024);
        out.writeVarInt(classId + 2, true);
        body.accept(out);
        while (out.position() < 16) out.writeByte(0); // the message was 16 bytes
        return out.toBytes();
    }

    void assertRefusedWithoutAllocating(byte[] bytes) {
        fromBinary(bytes); // warm: the first call loads classes and fills the pool
        long before = serializer.undecodable();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = threads.getCurrentThreadAllocatedBytes();
        Object decoded = fromBinary(bytes);
        allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
        assertEquals(KryoSerializer.Undecodable.MESSAGE, decoded);
        assertEquals(before + 1, serializer.undecodable(), "counted once");
        assertTrue(allocated < ALLOCATION_LIMIT, "decoding " + bytes.length + " bytes allocated " + allocated + " bytes");
    }

    Object fromBinary(byte[] bytes) {
        try {
            return serializer.fromBinary(bytes, "");
        } catch (Exception e) {
            throw new AssertionError("a bad message must be dropped, not thrown: " + e, e);
        }
    }

    @Test
    void anIntArrayClaiming400MillionElementsIsRefused() {
        assertRefusedWithoutAllocating(message(101, o -> o.writeVarInt(CLAIM + 1, true))); // "[I" = 101
    }

    @Test
    void aLongArrayAndAStringArrayClaiming400MillionAreRefused() {
        assertRefusedWithoutAllocating(message(102, o -> o.writeVarInt(CLAIM + 1, true))); // "[J"
        assertRefusedWithoutAllocating(message(103, o -> o.writeVarInt(CLAIM + 1, true))); // "[Ljava.lang.String;"
        assertRefusedWithoutAllocating(message(202, o -> o.writeVarInt(CLAIM + 1, true))); // AppSummary[]
    }

    @Test
    void aStringClaiming400MillionCharactersIsRefused() {
        // AppProtocol.Rejected(String reason) = 215: the record's one component, a UTF-8 string (flag bit set) of CLAIM chars
        assertRefusedWithoutAllocating(message(215, o -> o.writeVarIntFlag(true, CLAIM + 1, true)));
    }

    @Test
    void aListAndAMapClaiming400MillionElementsAreRefused() {
        assertRefusedWithoutAllocating(message(104, o -> o.writeVarIntFlag(false, CLAIM + 1, true))); // ArrayList: same-type flag + length
        assertRefusedWithoutAllocating(message(106, o -> o.writeVarInt(CLAIM + 1, true))); // HashMap
        assertRefusedWithoutAllocating(message(105, o -> o.writeVarInt(CLAIM + 1, true))); // LinkedHashMap
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        // ArrayList in ArrayList ... 10,000 deep: 3 bytes a level, a stack overflow if followed
        Output out = new Output(64, 1 << 16);
        for (int i = 0; i < 10_000; i++) {
            out.writeVarInt(104 + 2, true);
            out.writeVarIntFlag(false, 1 + 1, true);
        }
        assertRefusedWithoutAllocating(out.toBytes());
    }

    @Test
    void goodMessagesStillDecodeBetweenRefusedOnes() {
        var summary = new io.calisto.core.remote.AppSummary("echo", "modulo", 1, 2, new int[] {0, 1},
            new io.calisto.core.remote.AppSummary.CoreSummary[] {new io.calisto.core.remote.AppSummary.CoreSummary(0, 5, 4, 1, "GRANTED")},
            new String[] {"no-core"}, new long[] {3}, 1, 2, 3, 4, 5, 6);
        byte[] good = serializer.toBinary(new io.calisto.core.remote.AppProtocol.Stats(new io.calisto.core.remote.AppSummary[] {summary}));
        byte[][] bad = {message(101, o -> o.writeVarInt(CLAIM + 1, true)), message(215, o -> o.writeVarIntFlag(true, CLAIM + 1, true)),
            cutShort()};
        for (int i = 0; i < 100; i++) {
            assertEquals(KryoSerializer.Undecodable.MESSAGE, fromBinary(bad[i % bad.length]));
            var back = (io.calisto.core.remote.AppProtocol.Stats) fromBinary(good);
            assertEquals("echo modulo [0, 1] GRANTED no-core=3", back.apps()[0].app() + " " + back.apps()[0].policy() + " "
                + java.util.Arrays.toString(back.apps()[0].heldCores()) + " " + back.apps()[0].cores()[0].state() + " "
                + back.apps()[0].dropReasons()[0] + "=" + back.apps()[0].drops()[0]);
        }
    }

    /** An AppSummary[] (id 202) of one non-null element whose name, a UTF-8 string of 5 characters, has 1 byte. */
    static byte[] cutShort() {
        Output out = new Output(16);
        out.writeVarInt(202 + 2, true);
        out.writeVarInt(1 + 1, true);
        out.writeByte(1);
        out.writeVarIntFlag(true, 5 + 1, true);
        out.writeByte('e');
        return out.toBytes();
    }

    @Test
    void randomBytesNeverThrow() {
        var random = new java.util.Random(14);
        long before = serializer.undecodable();
        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[1 + random.nextInt(64)];
            random.nextBytes(b);
            if (fromBinary(b) == KryoSerializer.Undecodable.MESSAGE) refused++;
        }
        assertEquals(before + refused, serializer.undecodable());
        assertTrue(refused > 9_000, "random bytes are nearly never a message: " + refused);
    }
}
