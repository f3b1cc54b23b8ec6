package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.aeron.exceptions.AeronException;
import io.calisto.core.AppSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The management actor with Pekko's ActorTestKit over a stand-in dataplane: every command is answered (any
 * RuntimeException as a one-line Rejected), a failure restarts it behind the same ref, and it runs on its own
 * dispatcher. The kit's default dispatcher has a single thread, so a management command blocking it would starve
 * every other actor.
 */
class ManagementActorTest {
    static final ActorTestKit KIT = ActorTestKit.create("management-test", ConfigFactory.parseString("""
        pekko.actor.default-dispatcher {
          executor = "thread-pool-executor"
          thread-pool-executor.fixed-pool-size = 1
        }
        """).withFallback(ConfigFactory.load()));

    @AfterAll
    static void shutdown() { KIT.shutdownTestKit(); }

    /** A dataplane with no apps whose calls do what the test says. */
    static class Fake implements Management.Target {
        volatile RuntimeException policyFailure;
        volatile CountDownLatch unregisterEntered = new CountDownLatch(1), unregisterRelease = new CountDownLatch(0);
        final AtomicReference<String> unregisterThread = new AtomicReference<>();

        @Override public AppHandle register(ActorSystem<?> s, AppSpec spec, int g, int b) { throw new UnsupportedOperationException("no register here"); }

        @Override public long unregister(String app) {
            unregisterThread.set(Thread.currentThread().getName());
            unregisterEntered.countDown();
            try {
                unregisterRelease.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 3;
        }

        @Override public void setPolicy(String app, String policy) {
            RuntimeException e = policyFailure;
            if (e != null) throw e;
        }

        @Override public void setCoreLimits(String app, int g, int b) {}

        @Override public void drainCore(int core, boolean restore) {}

        @Override public List<AppStats> stats() { return List.of(); }

        @Override public void controlPlane(ControlPlane.Command c) {}
    }

    @Test
    void anyRuntimeExceptionIsRejectedWithOneLineAndTheNextCommandStillWorks() {
        Fake fake = new Fake();
        ActorRef<Management.Command> m = KIT.spawn(Management.create(fake), Management.PROPS);
        TestProbe<Management.Reply> replies = KIT.createTestProbe();

        fake.policyFailure = new AeronException("client conductor is closed");
        m.tell(new Management.SetPolicy("echo", "modulo", replies.getRef()));
        assertEquals(new Management.Rejected("AeronException: ERROR - client conductor is closed"), replies.receiveMessage());

        fake.policyFailure = new UnsupportedOperationException("first line\n\tsecond line\n");
        m.tell(new Management.SetPolicy("echo", "modulo", replies.getRef()));
        assertEquals(new Management.Rejected("UnsupportedOperationException: first line second line"), replies.receiveMessage());

        fake.policyFailure = new NullPointerException();
        m.tell(new Management.SetPolicy("echo", "modulo", replies.getRef()));
        assertEquals(new Management.Rejected("NullPointerException"), replies.receiveMessage());

        // the dataplane's own refusals keep their exact text
        fake.policyFailure = new IllegalArgumentException("no app named 'echo'");
        m.tell(new Management.SetPolicy("echo", "modulo", replies.getRef()));
        assertEquals(new Management.Rejected("no app named 'echo'"), replies.receiveMessage());

        fake.policyFailure = null;
        m.tell(new Management.SetPolicy("echo", "modulo", replies.getRef()));
        assertEquals(new Management.Done("echo now dispatches with modulo"), replies.receiveMessage());
        m.tell(new Management.GetStats(replies.getRef()));
        assertEquals(new Management.Stats(List.of()), replies.receiveMessage());
    }

    @Test
    void aFailureOutsideACommandRestartsItBehindTheSameRef() {
        ActorRef<Management.Command> m = KIT.spawn(Management.create(new Fake()), Management.PROPS);
        TestProbe<Management.Reply> replies = KIT.createTestProbe();
        m.tell(new Management.GetStats(null)); // answering a null ref throws in the actor, outside the command's try
        m.tell(new Management.GetStats(replies.getRef()));
        assertEquals(new Management.Stats(List.of()), replies.receiveMessage(Duration.ofSeconds(5)));
    }

    @Test
    void aSlowCommandRunsOnTheManagementDispatcherAndTheDefaultDispatcherStaysFree() throws Exception {
        Fake fake = new Fake();
        fake.unregisterRelease = new CountDownLatch(1);
        ActorRef<Management.Command> m = KIT.spawn(Management.create(fake), Management.PROPS);
        TestProbe<Management.Reply> replies = KIT.createTestProbe();
        TestProbe<String> pongs = KIT.createTestProbe();
        ActorRef<String> echo = KIT.spawn(Behaviors.receive(String.class).onAnyMessage(s -> {
            pongs.getRef().tell(s + " on " + Thread.currentThread().getName());
            return Behaviors.same();
        }).build());

        m.tell(new Management.UnregisterApp("echo", replies.getRef()));
        assertTrue(fake.unregisterEntered.await(10, TimeUnit.SECONDS), "the unregistration started");
        // management is blocked inside it; an actor on the (one-thread) default dispatcher still gets its messages
        echo.tell("ping");
        String pong = pongs.receiveMessage(Duration.ofSeconds(3));
        assertTrue(pong.startsWith("ping on management-test-pekko.actor.default-dispatcher-"), pong);
        replies.expectNoMessage(Duration.ofMillis(100));
        fake.unregisterRelease.countDown();
        assertEquals(new Management.Done("unregistered echo, 3 packets counted as app-gone"), replies.receiveMessage(Duration.ofSeconds(5)));
        assertTrue(fake.unregisterThread.get().startsWith("management-test-" + Management.DISPATCHER + "-"), fake.unregisterThread.get());
    }
}
