package io.calisto.core.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.calisto.core.serial.KryoSerializer;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every AppProtocol message crosses JVMs through Kryo (core-actors' ids, no test-only registration), ActorRefs included. */
class AppProtocolSerializationTest {
    static final ActorTestKit kit = ActorTestKit.create("app-protocol", RemoteApp.remoteConfig(ConfigFactory.load()));

    static final AppSummary ECHO = new AppSummary("echo", "modulo", 1, 2, new int[] {0},
        new AppSummary.CoreSummary[] {new AppSummary.CoreSummary(0, 1200, 1199, 64, "GRANTED"),
            new AppSummary.CoreSummary(1, 7, 7, 0, "PARKED")},
        new String[] {"no-core", "app-gone"}, new long[] {3, 0}, 5, 4, 1, 0, 2, 0);

    @AfterAll
    static void stop() { kit.shutdownTestKit(); }

    static List<AppProtocol> samples(ActorRef<AppProtocol.Reply> reply, ActorRef<AppProtocol.Notice> app, ActorRef<AppProtocol.Command> session) {
        return List.of(
            new AppProtocol.Register("echo", "dst-port=7", 1, 2, app, reply),
            new AppProtocol.Ready(reply),
            new AppProtocol.SetPolicy("affinity", reply),
            new AppProtocol.SetCoreLimits(1, 4, reply),
            new AppProtocol.DrainCore(1, true, reply),
            new AppProtocol.GetStats(reply),
            new AppProtocol.SubscribeEvents(reply),
            new AppProtocol.UnsubscribeEvents(reply),
            new AppProtocol.Unregister(reply),
            new AppProtocol.Registered(3, "/dev/shm/x", "aeron:ipc?term-length=1048576|mtu=4096", "/dev/shm/x/calisto-app-3.slots",
                new int[] {0, 1, 2}, session, "00112233445566778899aabbccddeeff"),
            new AppProtocol.SessionCommand("00112233445566778899aabbccddeeff", new AppProtocol.SetPolicy("modulo", reply)),
            new AppProtocol.Evicted("unregistered by the dataplane's operator"),
            new AppProtocol.Done("echo now dispatches with modulo"),
            new AppProtocol.Rejected("unknown dispatch policy 'nope'"),
            new AppProtocol.Stats(new AppSummary[] {ECHO, new AppSummary("empty", "affinity", 0, 1, new int[0],
                new AppSummary.CoreSummary[0], new String[0], new long[0], 0, 0, 0, 0, 0, 0)}),
            new AppProtocol.CoreEvent("CoreGranted", 1, "congested", 123_456_789L, 6336));
    }

    @Test
    void everyMessageRoundTripsThroughKryo() {
        TestProbe<AppProtocol.Reply> reply = kit.createTestProbe();
        TestProbe<AppProtocol.Notice> app = kit.createTestProbe();
        TestProbe<AppProtocol.Command> session = kit.createTestProbe();
        var ser = SerializationExtension.get(Adapter.toClassic(kit.system()));
        List<AppProtocol> samples = samples(reply.getRef(), app.getRef(), session.getRef());
        for (AppProtocol m : samples) {
            var serializer = ser.findSerializerFor(m);
            assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier(), m.getClass().getName());
            byte[] bytes = ser.serialize(m).get();
            Object back = ser.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, m)).get();
            assertNotSame(m, back);
            assertTrue(deepEquals(m, back), () -> m + " came back as " + back);
        }
        Set<Class<?>> sampled = samples.stream().map(Object::getClass).collect(Collectors.toSet());
        assertEquals(concreteMessages(AppProtocol.class), sampled, "every kind of message has a sample");
    }

    @Test
    void theSummaryFindsItsDropsByReason() {
        assertEquals(3, ECHO.dropped("no-core"));
        assertEquals(0, ECHO.dropped("tx-full"));
    }

    private static Set<Class<?>> concreteMessages(Class<?> type) {
        if (!type.isSealed()) return Set.of(type);
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> sub : type.getPermittedSubclasses()) out.addAll(concreteMessages(sub));
        return Set.copyOf(out);
    }

    /** Records compared component by component, arrays element by element (record equals compares array references). */
    static boolean deepEquals(Object a, Object b) {
        if (a == null || b == null) return a == b;
        if (a instanceof ActorRef<?> && b instanceof ActorRef<?>) return a.equals(b);
        if (a.getClass() != b.getClass()) return false;
        if (a.getClass().isArray()) {
            if (Array.getLength(a) != Array.getLength(b)) return false;
            for (int i = 0; i < Array.getLength(a); i++) if (!deepEquals(Array.get(a, i), Array.get(b, i))) return false;
            return true;
        }
        if (a instanceof Record) {
            try {
                for (RecordComponent c : a.getClass().getRecordComponents()) {
                    if (!deepEquals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) return false;
                }
                return true;
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return a.equals(b);
    }
}
