package io.calisto.core.remote;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.Streams;
import io.calisto.core.AppRuntime;
import io.calisto.core.AppSpec;
import io.calisto.core.remote.ControlMessage.RemoteCoreEvent;
import io.calisto.core.remote.ControlMessage.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * An application in its own JVM joining a running dataplane through the shared Aeron media driver: it registers on
 * the control stream (Kryo), maps its core slots from the file the dataplane names, runs a parked core-actor per
 * pool core and sends a heartbeat every 100 ms. Its parked core-actors sleep on a futex on their slot's state word in
 * the shared file, which the dataplane's grant wakes across the process boundary (LockSupport cannot).
 *
 * <p>It manages itself as a local app does through the management actor: {@link #setPolicy}, {@link #setCoreLimits},
 * {@link #drainCore}, {@link #stats} and {@link #subscribeEvents} block until the dataplane answers ({@link
 * ControlMessage.Done}, {@link ControlMessage.Stats} or {@link ControlMessage.Rejected} with the dataplane's reason)
 * and throw {@link IllegalStateException} when no answer comes within the call timeout (the connect timeout unless
 * {@link #callTimeout} changes it).
 */
public final class RemoteApp implements AutoCloseable {
    private final AppRuntime runtime;
    private final Publication requests;
    private final int appId;
    private final ControlClient control;
    private final Thread heartbeat;
    private final ControlCodec codec = new ControlCodec();
    private volatile boolean running = true;

    private RemoteApp(AppRuntime runtime, Publication requests, ControlClient control) {
        this.runtime = runtime;
        this.requests = requests;
        this.appId = control.appId();
        this.control = control;
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
        if (answer[0] instanceof ControlMessage.RegistrationRejected r) {
            responses.close();
            throw new IllegalArgumentException(r.reason());
        }
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
        return new RemoteApp(runtime, requests, new ControlClient(requests, responses, ok.appId(), timeout));
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

    /** Swaps this app's dispatch policy ({@code modulo}, {@code affinity}, ...) between two IO bursts. */
    public Reply setPolicy(String policy) {
        return control.call("set-policy " + policy, c -> new ControlMessage.SetPolicy(c, appId, policy));
    }

    public Reply setCoreLimits(int guaranteed, int burstable) {
        return control.call("set-core-limits", c -> new ControlMessage.SetCoreLimits(c, appId, guaranteed, burstable));
    }

    /** Takes pool core {@code core} out of service (its owner's queue drains first), or puts it back. */
    public Reply drainCore(int core, boolean restore) {
        return control.call((restore ? "restore-core " : "drain-core ") + core, c -> new ControlMessage.DrainCore(c, appId, core, restore));
    }

    /** {@link ControlMessage.Stats} for every registered app, or {@link ControlMessage.Rejected}. */
    public Reply stats() {
        return control.call("get-stats", c -> new ControlMessage.GetStats(c, appId));
    }

    /**
     * From the answer on, every core event of this app goes to {@code consumer}, in order, on the client's control
     * thread (keep it short: answers to calls wait behind it).
     */
    public Reply subscribeEvents(Consumer<RemoteCoreEvent> consumer) {
        control.events(consumer);
        Reply r = control.call("subscribe-events", c -> new ControlMessage.SubscribeEvents(c, appId));
        if (!(r instanceof ControlMessage.Done)) control.events(null);
        return r;
    }

    /** No more events after the answer: the dataplane sends its Done after the last event it forwarded. */
    public Reply unsubscribeEvents() {
        Reply r = control.call("unsubscribe-events", c -> new ControlMessage.UnsubscribeEvents(c, appId));
        if (r instanceof ControlMessage.Done) control.events(null);
        return r;
    }

    public RemoteApp callTimeout(Duration timeout) {
        control.timeout(timeout);
        return this;
    }

    @Override
    public void close() {
        running = false;
        var bye = codec.encode(new ControlMessage.Unregister(appId));
        requests.offer(bye, 0, bye.capacity());
        control.close();
        runtime.stopAll();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
