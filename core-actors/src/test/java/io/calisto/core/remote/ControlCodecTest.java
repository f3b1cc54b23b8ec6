package io.calisto.core.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Every control message crosses the wire unchanged, and a class Kryo does not know is refused. */
class ControlCodecTest {
    static final AppSummary ECHO = new AppSummary("echo", "modulo", 1, 2, new int[] {0},
        new AppSummary.CoreSummary[] {new AppSummary.CoreSummary(0, 1200, 1199, 64, "GRANTED"),
            new AppSummary.CoreSummary(1, 7, 7, 0, "PARKED")},
        new String[] {"no-core", "app-gone"}, new long[] {3, 0}, 5, 4, 1, 0, 2, 0);

    static final List<ControlMessage> SAMPLES = List.of(
        new ControlMessage.RegisterRemote("echo", "dst-port=7", 1, 2, 4242),
        new ControlMessage.Registered("echo", 3, "/dev/shm/x/calisto-app-3.slots", new int[] {0, 1, 2}),
        new ControlMessage.RegistrationRejected("echo", "an app named echo is already registered"),
        new ControlMessage.Heartbeat(3),
        new ControlMessage.Unregister(3),
        new ControlMessage.SetPolicy(Long.MAX_VALUE, 3, "affinity"),
        new ControlMessage.SetCoreLimits(2, 3, 1, 4),
        new ControlMessage.DrainCore(3, 3, 1, true),
        new ControlMessage.GetStats(4, 3),
        new ControlMessage.SubscribeEvents(5, 3),
        new ControlMessage.UnsubscribeEvents(6, 3),
        new ControlMessage.Done(7, 3, "echo now dispatches with modulo"),
        new ControlMessage.Rejected(8, 3, "unknown dispatch policy 'nope' (modulo, affinity, affinity-rebind, affinity-published)"),
        new ControlMessage.Stats(9, 3, new AppSummary[] {ECHO, new AppSummary("empty", "affinity", 0, 1, new int[0],
            new AppSummary.CoreSummary[0], new String[0], new long[0], 0, 0, 0, 0, 0, 0)}),
        new ControlMessage.RemoteCoreEvent(3, "CoreGranted", 1, "congested", 123_456_789L, 6336));

    @Test
    void everyMessageRoundTrips() {
        ControlCodec sender = new ControlCodec();
        ControlCodec receiver = new ControlCodec();
        for (ControlMessage m : SAMPLES) {
            UnsafeBuffer frame = sender.encode(m);
            // the frame travels as bytes at an offset, as in an Aeron term buffer
            byte[] wire = new byte[frame.capacity() + 16];
            frame.getBytes(0, wire, 16, frame.capacity());
            ControlMessage back = receiver.decode(new UnsafeBuffer(wire), 16, frame.capacity());
            assertNotSame(m, back);
            assertTrue(deepEquals(m, back), () -> m + " came back as " + back);
        }
    }

    @Test
    void everyKindOfMessageHasASample() {
        Set<Class<?>> sampled = SAMPLES.stream().map(Object::getClass).collect(Collectors.toSet());
        assertEquals(concreteMessages(ControlMessage.class), sampled);
    }

    @Test
    void theSummaryFindsItsDropsByReason() {
        assertEquals(3, ECHO.dropped("no-core"));
        assertEquals(0, ECHO.dropped("tx-full"));
    }

    @Test
    void anUnregisteredClassIsRefused() {
        assertThrows(RuntimeException.class, () -> new ControlCodec().decode(new UnsafeBuffer(new byte[] {100, 1, 2, 3}), 0, 4));
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
