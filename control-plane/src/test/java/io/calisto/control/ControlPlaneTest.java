package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The control-plane guardian with Pekko's ActorTestKit: order, exactly-once fan-out, dead subscribers, bounded history. */
class ControlPlaneTest {
    static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() { KIT.shutdownTestKit(); }

    static CoreEvent granted(int core) { return new CoreEvent.CoreGranted("app", core, "congested", core * 10L, 7); }

    @Test
    void subscribersGetEveryEventOnceInOrderUntilTheyUnsubscribe() {
        ActorRef<ControlPlane.Command> cp = KIT.spawn(ControlPlane.create(100));
        TestProbe<CoreEvent> a = KIT.createTestProbe(), b = KIT.createTestProbe();
        cp.tell(new ControlPlane.Subscribe(a.getRef()));
        cp.tell(new ControlPlane.Subscribe(a.getRef())); // twice is once
        cp.tell(new ControlPlane.Subscribe(b.getRef()));
        for (int core = 0; core < 5; core++) cp.tell(new ControlPlane.Publish(granted(core)));
        cp.tell(new ControlPlane.Unsubscribe(b.getRef()));
        cp.tell(new ControlPlane.Publish(new CoreEvent.CoreYielded("app", 4, "idle", 99, 0)));
        for (int core = 0; core < 5; core++) {
            assertEquals(granted(core), a.receiveMessage());
            assertEquals(granted(core), b.receiveMessage());
        }
        assertEquals(new CoreEvent.CoreYielded("app", 4, "idle", 99, 0), a.receiveMessage());
        a.expectNoMessage(Duration.ofMillis(100));
        b.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void aStoppedSubscriberIsDropped() {
        ActorRef<ControlPlane.Command> cp = KIT.spawn(ControlPlane.create(100));
        TestProbe<CoreEvent> seen = KIT.createTestProbe();
        // a subscriber that forwards what it gets and stops after the first event
        ActorRef<CoreEvent> once = KIT.spawn(Behaviors.receive(CoreEvent.class).onAnyMessage(e -> {
            seen.getRef().tell(e);
            return Behaviors.stopped();
        }).build());
        cp.tell(new ControlPlane.Subscribe(once));
        cp.tell(new ControlPlane.Publish(granted(1)));
        assertEquals(granted(1), seen.receiveMessage());
        seen.expectTerminated(once);
        // the watch turned into an Unsubscribe: a later subscriber is the only one left, nothing goes to dead letters
        TestProbe<CoreEvent> later = KIT.createTestProbe();
        cp.tell(new ControlPlane.Subscribe(later.getRef()));
        cp.tell(new ControlPlane.Publish(granted(2)));
        assertEquals(granted(2), later.receiveMessage());
        seen.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void historyKeepsTheLastEventsAndCountsTheForgottenOnes() {
        ActorRef<ControlPlane.Command> cp = KIT.spawn(ControlPlane.create(3));
        for (int core = 0; core < 5; core++) cp.tell(new ControlPlane.Publish(granted(core)));
        TestProbe<ControlPlane.History> probe = KIT.createTestProbe();
        cp.tell(new ControlPlane.GetEvents(probe.getRef()));
        assertEquals(new ControlPlane.History(List.of(granted(2), granted(3), granted(4)), 2), probe.receiveMessage());
    }

    @Test
    void aNegativeHistoryIsAConfigurationError() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ControlPlane.create(-1));
        assertEquals("calisto.control.event-history must be >= 0, was -1", e.getMessage());
    }
}
