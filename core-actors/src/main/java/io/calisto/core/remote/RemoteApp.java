package io.calisto.core.remote;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.Streams;
import io.calisto.core.AppRuntime;
import io.calisto.core.AppSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * An application in its own JVM joining a running dataplane through the shared Aeron media driver: it registers on
 * the control stream (Kryo), maps its core slots from the file the dataplane names, runs a parked core-actor per
 * pool core and sends a heartbeat every 100 ms. Its core-actors wake by polling their slot (another process cannot
 * unpark them), so a grant reaches a parked remote core within {@code 1 ms}.
 */
public final class RemoteApp implements AutoCloseable {
    private final AppRuntime runtime;
    private final Publication requests;
    private final int appId;
    private final Thread heartbeat;
    private final ControlCodec codec = new ControlCodec();
    private volatile boolean running = true;

    private RemoteApp(AppRuntime runtime, Publication requests, int appId) {
        this.runtime = runtime;
        this.requests = requests;
        this.appId = appId;
        this.heartbeat = Thread.ofPlatform().daemon().name("calisto-heartbeat-" + appId).start(this::beat);
    }

    public static RemoteApp connect(ActorSystem<?> system, AppSpec spec, Aeron aeron, Streams streams, int guaranteed, int burstable,
                                    Duration timeout) {
        Publication requests = aeron.addPublication(streams.channel(), Streams.CONTROL_REQUESTS);
        Subscription responses = aeron.addSubscription(streams.channel(), Streams.CONTROL_RESPONSES);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!requests.isConnected() || !responses.isConnected()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no dataplane answers on " + aeron.context().aeronDirectoryName());
            sleep(1);
        }
        ControlCodec codec = new ControlCodec();
        var request = codec.encode(new ControlMessage.RegisterRemote(spec.name(), spec.match().format(), guaranteed, burstable,
            ProcessHandle.current().pid()));
        while (requests.offer(request, 0, request.capacity()) < 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("cannot send the registration of " + spec.name());
            sleep(1);
        }
        ControlMessage[] answer = new ControlMessage[1];
        while (answer[0] == null) {
            responses.poll((b, o, l, h) -> {
                ControlMessage m = codec.decode(b, o, l);
                if (m instanceof ControlMessage.Registered r && r.name().equals(spec.name())) answer[0] = m;
                if (m instanceof ControlMessage.RegistrationRejected r && r.name().equals(spec.name())) answer[0] = m;
            }, 16);
            if (answer[0] == null && System.nanoTime() > deadline) throw new IllegalStateException("no answer to the registration of " + spec.name());
            sleep(1);
        }
        responses.close();
        if (answer[0] instanceof ControlMessage.RegistrationRejected r) throw new IllegalArgumentException(r.reason());
        ControlMessage.Registered ok = (ControlMessage.Registered) answer[0];
        int maxCore = 0;
        for (int core : ok.pool()) maxCore = Math.max(maxCore, core);
        CoreSlot[] slots = CoreSlot.mapped(Path.of(ok.slotsFile()), maxCore + 1, false);
        AppRuntime runtime = AppRuntime.register(system, spec, aeron, streams, ok.appId());
        for (int core : ok.pool()) {
            try {
                runtime.start(core, slots[core], -1).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("core-actor " + core + " of " + spec.name() + " did not start: " + e, e);
            }
        }
        return new RemoteApp(runtime, requests, ok.appId());
    }

    private void beat() {
        ControlCodec own = new ControlCodec();
        while (running) {
            var hb = own.encode(new ControlMessage.Heartbeat(appId));
            requests.offer(hb, 0, hb.capacity());
            sleep(100);
        }
    }

    public int appId() { return appId; }

    public AppRuntime runtime() { return runtime; }

    @Override
    public void close() {
        running = false;
        var bye = codec.encode(new ControlMessage.Unregister(appId));
        requests.offer(bye, 0, bye.capacity());
        for (int core : runtime.coreActors()) runtime.stop(core);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
