package io.calisto.core.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.calisto.aeron.EmbeddedDriver;
import io.calisto.aeron.Streams;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a fake dataplane on a real media driver: answers are matched by correlation and app id on the
 * shared response stream, other apps' answers and events are skipped, and silence ends in one clear line.
 */
class ControlClientTest {
    static final int APP = 3;
    final Streams streams = new Streams("aeron:ipc?term-length=65536");
    EmbeddedDriver driver;
    Aeron aeron;
    Thread server;
    volatile boolean serving = true;

    @BeforeEach
    void start() {
        String dir = "/dev/shm/calisto-client-test-" + ProcessHandle.current().pid();
        driver = EmbeddedDriver.launch(dir);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        Subscription requests = aeron.addSubscription(streams.channel(), Streams.CONTROL_REQUESTS);
        Publication responses = aeron.addPublication(streams.channel(), Streams.CONTROL_RESPONSES);
        server = Thread.ofPlatform().daemon().start(() -> serve(requests, responses));
    }

    @AfterEach
    void stop() throws InterruptedException {
        serving = false;
        server.join(1000);
        aeron.close();
        driver.close();
    }

    /** Answers every request but a set-policy to "silent"; before each answer, noise for app 4 and one event for the caller. */
    void serve(Subscription requests, Publication responses) {
        ControlCodec codec = new ControlCodec();
        while (serving) {
            int n = requests.poll((b, o, l, h) -> {
                var r = (ControlMessage.Request) codec.decode(b, o, l);
                if (r instanceof ControlMessage.SetPolicy p && p.policy().equals("silent")) return;
                offer(responses, codec, new ControlMessage.Done(r.correlation(), APP + 1, "for app 4"));
                offer(responses, codec, new ControlMessage.RemoteCoreEvent(APP + 1, "CoreGranted", 9, "congested", 1, 2));
                offer(responses, codec, new ControlMessage.RemoteCoreEvent(r.appId(), "CoreYielded", r.correlation() == 1 ? 0 : 1, "idle", 3, 0));
                offer(responses, codec, new ControlMessage.Done(r.correlation(), r.appId(), "answer " + r.correlation()));
            }, 16);
            if (n == 0) Thread.onSpinWait();
        }
    }

    static void offer(Publication p, ControlCodec codec, ControlMessage m) {
        var frame = codec.encode(m);
        while (p.offer(frame, 0, frame.capacity()) < 0) Thread.onSpinWait();
    }

    ControlClient client(Duration timeout) {
        Publication requests = aeron.addPublication(streams.channel(), Streams.CONTROL_REQUESTS);
        Subscription responses = aeron.addSubscription(streams.channel(), Streams.CONTROL_RESPONSES);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!requests.isConnected() || !responses.isConnected()) {
            if (System.nanoTime() > deadline) throw new AssertionError("streams did not connect");
            Thread.onSpinWait();
        }
        return new ControlClient(requests, responses, APP, timeout);
    }

    @Test
    void answersAndEventsOfOtherAppsAreSkipped() {
        try (ControlClient c = client(Duration.ofSeconds(10))) {
            List<ControlMessage.RemoteCoreEvent> events = new CopyOnWriteArrayList<>();
            c.events(events::add);
            assertEquals(new ControlMessage.Done(1, APP, "answer 1"), c.call("get-stats", id -> new ControlMessage.GetStats(id, APP)));
            assertEquals(new ControlMessage.Done(2, APP, "answer 2"), c.call("set-policy modulo", id -> new ControlMessage.SetPolicy(id, APP, "modulo")));
            // events and answers share one ordered stream: each event came before its answer
            assertEquals(List.of(new ControlMessage.RemoteCoreEvent(APP, "CoreYielded", 0, "idle", 3, 0),
                new ControlMessage.RemoteCoreEvent(APP, "CoreYielded", 1, "idle", 3, 0)), events);
        }
    }

    @Test
    void aCallWithNoAnswerThrowsOneClearLine() {
        try (ControlClient c = client(Duration.ofMillis(300))) {
            long start = System.nanoTime();
            var e = assertThrows(IllegalStateException.class,
                () -> c.call("set-policy silent", id -> new ControlMessage.SetPolicy(id, APP, "silent")));
            assertEquals("no answer from the dataplane to set-policy silent of app 3 within 300 ms", e.getMessage());
            assertFalse(System.nanoTime() - start < Duration.ofMillis(300).toNanos(), "gave up before its timeout");
            // the late caller does not poison the next call
            assertEquals(new ControlMessage.Done(2, APP, "answer 2"), c.call("get-stats", id -> new ControlMessage.GetStats(id, APP)));
        }
    }
}
