package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.ConfigFactory;
import io.calisto.core.serial.KryoSerializer;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.internal.pubsub.TopicImpl;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JavaSerializer;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every fleet message crosses JVMs through Kryo (ids 400-409); the topic's envelope is Pekko cluster-typed's own
 * serializer around our Kryo NodeEvent; Java serialization is off in a fleet member's configuration.
 */
class FleetSerializationTest {
    static final ActorTestKit KIT = ActorTestKit.create("fleetserial", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() { KIT.shutdownTestKit(); }

    private static Object roundTrip(Object o, boolean kryo) {
        var ser = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        var serializer = ser.findSerializerFor(o);
        if (kryo) assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier(), o.getClass().getName());
        assertFalse(serializer instanceof JavaSerializer, o.getClass().getName());
        byte[] bytes = ser.serialize(o).get();
        return ser.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o)).get();
    }

    @Test
    void fleetMessagesAreKryoAndJavaSerializationIsOff() {
        assertFalse(KIT.system().settings().config().getBoolean("pekko.actor.allow-java-serialization"));
        assertEquals("keep-majority", KIT.system().settings().config().getString("pekko.cluster.split-brain-resolver.active-strategy"));
        TestProbe<Fleet.NodeInfo> info = KIT.createTestProbe();
        TestProbe<Fleet.Members> members = KIT.createTestProbe();
        TestProbe<Fleet.Nodes> nodes = KIT.createTestProbe();
        TestProbe<Fleet.NodeEvent> events = KIT.createTestProbe();
        TestProbe<Management.Reply> replies = KIT.createTestProbe();
        TestProbe<Management.Command> management = KIT.createTestProbe();
        CoreEvent granted = new CoreEvent.CoreGranted("echo", 2, "congested", 123L, 456L);
        List<Object> messages = List.of(
            new Fleet.GetNodeInfo(info.getRef()),
            new Fleet.GetMembers(members.getRef()),
            new Fleet.Lookup("node-2", nodes.getRef()),
            new Fleet.Lookup("", nodes.getRef()),
            new Fleet.FollowEvents(events.getRef(), replies.getRef()),
            new Fleet.NodeInfo("node-1", "127.0.0.1:25520", "synthetic", List.of("echo"), List.of(0, 3), 42L, 1999.5),
            new Fleet.NodeInfo("node-1", "127.0.0.1:25520", "synthetic", List.of(), List.of(), 0L, 0),
            new Fleet.Members("node-1", List.of(
                new Fleet.Member("node-1", "127.0.0.1:25520", "Up", true, "synthetic", List.of("echo", "dns"), List.of(1), 2000.0),
                new Fleet.Member("node-3", "127.0.0.1:25522", "Unreachable", false, "", List.of(), List.of(), 0))),
            new Fleet.Nodes(List.of(new Fleet.Node("node-2", "127.0.0.1:25521", management.getRef())), ""),
            new Fleet.Nodes(List.of(), "no Up, reachable node named 'x'"),
            new Fleet.NodeEvent("node-2", granted));
        for (Object m : messages) assertEquals(m, roundTrip(m, true), m.getClass().getName());
        // the topic's envelope between nodes: cluster-typed's serializer, our event inside it
        Object published = new TopicImpl.MessagePublished<>(new Fleet.NodeEvent("node-3", granted));
        assertNotEquals(KryoSerializer.IDENTIFIER, SerializationExtension.get(Adapter.toClassic(KIT.system())).findSerializerFor(published).identifier());
        assertEquals(published, roundTrip(published, false));
    }
}
