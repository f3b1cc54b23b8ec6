package io.calisto.core.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Our messages go through Kryo (never Java serialization), ActorRefs included, and unknown classes are refused. */
class KryoSerializerTest {
    record Ping(String text, int[] cores, List<String> names, Map<String, Long> drops, ActorRef<Ping> replyTo) implements CalistoMessage {}

    record Unregistered(String text) implements CalistoMessage {}

    static final ActorTestKit kit = ActorTestKit.create("kryo", ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.actor.serialize-messages = on
        calisto.serialization.kryo-ids { "io.calisto.core.serial.KryoSerializerTest$Ping" = 900 }
        """).withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() { kit.shutdownTestKit(); }

    @Test
    void aMessageWithAnActorRefRoundTripsThroughKryo() {
        TestProbe<Ping> probe = kit.createTestProbe();
        var ser = SerializationExtension.get(Adapter.toClassic(kit.system()));
        Ping ping = new Ping("héllo", new int[] {1, 2}, List.of("a", "b"), new java.util.LinkedHashMap<>(Map.of("no-core", 3L)), probe.getRef());
        var serializer = ser.findSerializerFor(ping);
        assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier());
        byte[] bytes = ser.serialize(ping).get();
        Ping back = (Ping) ser.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, ping)).get();
        assertEquals(ping.text(), back.text());
        assertEquals(List.of(1, 2), java.util.Arrays.stream(back.cores()).boxed().toList());
        assertEquals(ping.names(), back.names());
        assertEquals(ping.drops(), back.drops());
        back.replyTo().tell(back);
        assertEquals("héllo", probe.receiveMessage().text(), "the ActorRef resolves to the same actor");
    }

    @Test
    void aClassWithoutAnIdIsRefused() {
        var ser = SerializationExtension.get(Adapter.toClassic(kit.system()));
        var e = ser.serialize(new Unregistered("x"));
        assertTrue(e.isFailure());
        assertTrue(e.failed().get().getMessage().contains("Class is not registered"), e.failed().get().getMessage());
    }

    private static KryoSerializer serializer() {
        return new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(kit.system()));
    }

    /** Found by ControlMessageFuzzTest (and issue 14's 16-byte int[] claiming 400,000,000 elements, which froze the dataplane). */
    @Test
    void aLengthTheMessageCannotHoldIsRefusedBeforeAllocating() {
        KryoSerializer k = serializer();
        byte[] ints = java.util.Arrays.copyOf(java.util.HexFormat.of().parseHex("678188debe01"), 16); // int[] (id 101), 400,000,000 long
        assertThrows(java.io.NotSerializableException.class, () -> k.fromBinary(ints, "")); // builds the pooled Kryo
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        var e = assertThrows(java.io.NotSerializableException.class, () -> k.fromBinary(ints, ""));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals("cannot decode a Calisto message of 16 bytes: a length of 400000001 is more than a message of 16 bytes can hold", e.getMessage());
        assertTrue(allocated < 1 << 20, allocated + " bytes allocated");
    }

    /** Lists nested 10,000 deep (30 KB) overflowed the stack: a StackOverflowError is no clean refusal. */
    @Test
    void nestingDeeperThanMaxDepthIsRefused() throws Exception {
        KryoSerializer k = serializer();
        java.util.ArrayList<Object> list = new java.util.ArrayList<>();
        for (int i = 1; i < KryoSerializer.MAX_DEPTH; i++) list = new java.util.ArrayList<>(List.of(list));
        assertEquals(list, k.fromBinary(k.toBinary(list), ""), "as deep as allowed still round-trips");
        byte[] deep = java.util.HexFormat.of().parseHex("6a" + "826a00".repeat(10_000) + "01"); // ArrayList(ArrayList(...)), as Kryo writes it
        var e = assertThrows(java.io.NotSerializableException.class, () -> k.fromBinary(deep, ""));
        assertTrue(e.getMessage().contains("Max depth exceeded"), e.getMessage());
    }
}
