package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.serial.KryoSerializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every management command and reply, AppStats and CoreEvent crosses JVMs through Kryo with control-plane's ids;
 * RegisterApp (it holds a local ActorSystem) is refused; CoreEvent's JSON is Jackson's.
 */
class ManagementSerializationTest {
    static final ActorTestKit KIT = ActorTestKit.create("serial", ConfigFactory.parseString("pekko.actor.provider = remote")
        .withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() { KIT.shutdownTestKit(); }

    private static Object roundTrip(Object o) {
        var ser = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        var serializer = ser.findSerializerFor(o);
        assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier(), o.getClass().getName());
        byte[] bytes = ser.serialize(o).get();
        return ser.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o)).get();
    }

    @Test
    void commandsRepliesStatsAndEventsRoundTrip() {
        TestProbe<Management.Reply> replies = KIT.createTestProbe();
        TestProbe<CoreEvent> events = KIT.createTestProbe();
        var held = IntStream.of(0, 2).boxed().toList(); // as Dataplane.stats() builds it
        List<AppStats.CoreStats> cores = new ArrayList<>(List.of(new AppStats.CoreStats(0, 10, 9, 1, "granted"), new AppStats.CoreStats(2, 5, 5, 0, "parked")));
        Map<String, Long> drops = new LinkedHashMap<>(Map.of("no-core", 3L));
        AppStats stats = new AppStats("echo", "affinity", 1, 4, held, cores, drops, 7, 6, 1, 0, 2, 0);
        CoreEvent granted = new CoreEvent.CoreGranted("echo", 2, "congested", 123L, 456L);
        List<Object> messages = List.of(
            new Management.UnregisterApp("echo", replies.getRef()),
            new Management.SetPolicy("echo", "modulo", replies.getRef()),
            new Management.SetCoreLimits("echo", 1, 2, replies.getRef()),
            new Management.PrefillFlows("echo", "flows.txt", List.of("0x10 2", "udp 10.0.0.2 5000 10.0.0.1 7 1"), replies.getRef()),
            new Management.DrainCore(3, true, replies.getRef()),
            new Management.GetStats(replies.getRef()),
            new Management.Subscribe(events.getRef(), replies.getRef()),
            new Management.Unsubscribe(events.getRef(), replies.getRef()),
            new Management.GetEvents(replies.getRef()),
            new Management.Shutdown(replies.getRef()),
            new Management.Done("ok"),
            new Management.Registered("echo", 3),
            new Management.Rejected("no app named 'x'"),
            new Management.Stats(new ArrayList<>(List.of(stats))),
            new Management.Stats(List.of()),
            new Management.Events(List.copyOf(List.of(granted, new CoreEvent.CoreYielded("echo", 2, "idle", 124L, 0L),
                new CoreEvent.CorePreempted("echo", 1, "for other", 125L, 9L), new CoreEvent.CoreRevoked("echo", 1, "limit", 126L, 0L))), 17),
            granted);
        for (Object m : messages) assertEquals(m, roundTrip(m), m.getClass().getName());
        // the refs still reach their actors
        ((Management.Subscribe) roundTrip(messages.get(6))).replyTo().tell(new Management.Done("back"));
        assertEquals(new Management.Done("back"), replies.receiveMessage());
    }

    @Test
    void registerAppIsLocalOnlyAndRefused() {
        var ser = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        var r = ser.serialize(new Management.RegisterApp(KIT.system(), new AppSpec("x", MatchRule.parse("dst-port=9"), c -> ctx -> {}), 1, 1, null));
        assertTrue(r.isFailure(), "RegisterApp must not cross JVMs");
    }

    @Test
    void coreEventJsonIsJacksonsAndEscapes() throws Exception {
        CoreEvent e = new CoreEvent.CoreGranted("ec\"ho", 1, "congested", 5L, 6336L);
        assertEquals("{\"type\":\"CoreGranted\",\"app\":\"ec\\\"ho\",\"core\":1,\"reason\":\"congested\",\"t_ns\":5,\"signal\":6336}", e.toJson());
        assertEquals("ec\"ho", new ObjectMapper().readTree(e.toJson()).get("app").asText());
    }
}
