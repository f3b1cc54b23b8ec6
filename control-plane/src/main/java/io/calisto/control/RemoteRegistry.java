package io.calisto.control;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.core.remote.ControlCodec;
import io.calisto.core.remote.ControlMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves applications in other JVMs on the Aeron control streams (Kryo): registration, heartbeats, unregistration,
 * reclaiming the cores of an app whose heartbeats stopped (its unconsumed packets count as app-gone), management
 * requests (through {@link RemoteManagement}) and the forwarding of each subscribed app's core events.
 * Polled by the event-pump thread every millisecond; that thread also hands it every core event, so an app's
 * events go out in the order the control plane publishes them, with no queue or lock between.
 *
 * <p>Owned by the event-pump thread: every method runs there, and {@link #close()} runs on the thread that joined
 * it. Nothing here is locked or read from elsewhere; the Dataplane calls it makes (prepare, activate, unregister)
 * take no lock either, so the pump never waits on a thread that waits for the pump.
 */
final class RemoteRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteRegistry.class);
    private final Dataplane dp;
    private final long timeoutNanos;
    private final Subscription requests;
    private final Publication responses;
    private final ControlCodec codec = new ControlCodec();
    private final RemoteManagement management;
    private final List<AppHandle> pending = new ArrayList<>();
    /** Requests of apps whose core-actors are not all subscribed yet: answered once the app is active. */
    private final List<ControlMessage.Request> deferred = new ArrayList<>();
    private final Map<Integer, Long> lastSeen = new HashMap<>();
    private final Map<Integer, AppHandle> active = new HashMap<>();
    private long now;
    private final FragmentAssembler assembler = new FragmentAssembler((b, o, l, h) -> {
        ControlMessage m;
        try {
            m = codec.decode(b, o, l);
        } catch (RuntimeException e) {
            LOG.warn("undecodable control message ({} bytes) skipped: {}", l, e.getMessage());
            return;
        }
        handle(m);
    });

    RemoteRegistry(Dataplane dp, Duration timeout) {
        this.dp = dp;
        this.timeoutNanos = timeout.toNanos();
        this.management = new RemoteManagement(dp);
        this.requests = dp.aeron().addSubscription(dp.streams().channel(), Streams.CONTROL_REQUESTS);
        this.responses = dp.aeron().addPublication(dp.streams().channel(), Streams.CONTROL_RESPONSES);
    }

    void poll(long now) {
        this.now = now;
        requests.poll(assembler, 16);
        for (var it = pending.iterator(); it.hasNext(); ) {
            AppHandle h = it.next();
            if (Dataplane.connected(h, dp.pool())) {
                it.remove();
                try {
                    dp.activateRemote(h);
                } catch (RuntimeException e) {
                    LOG.error("app {} in another JVM could not be activated; its registration is dropped", h.name(), e);
                    dp.abandonRemote(h);
                    dropDeferred(h.appId(), "the registration of " + h.name() + " failed: " + e.getMessage());
                    continue;
                }
                active.put(h.appId(), h);
                lastSeen.put(h.appId(), now);
            }
        }
        for (var it = deferred.iterator(); it.hasNext(); ) {
            ControlMessage.Request r = it.next();
            if (!isPending(r.appId())) {
                it.remove();
                answer(r);
            }
        }
        for (var e : new ArrayList<>(active.entrySet())) {
            if (now - lastSeen.get(e.getKey()) > timeoutNanos) {
                try {
                    long gone = dp.unregister(e.getValue().name(), Duration.ZERO);
                    LOG.warn("app {} in another JVM sent no heartbeat for {} ms: cores reclaimed, {} packets counted as app-gone",
                        e.getValue().name(), timeoutNanos / 1_000_000, gone);
                } catch (IllegalArgumentException x) {
                    // unregistered meanwhile through the management actor, or that unregistration is still under way
                    LOG.info("app {} in another JVM timed out: {}", e.getValue().name(), x.getMessage());
                }
                forget(e.getKey());
            }
        }
    }

    /** Called by the event pump, in publication order, for every core event of app {@code appId}. */
    void forward(int appId, CoreEvent e) {
        ControlMessage.RemoteCoreEvent m = management.event(appId, e);
        if (m != null && !send(m)) LOG.warn("core event {} of app {} could not be sent: the control response stream is full", e, e.app());
    }

    private void handle(ControlMessage m) {
        switch (m) {
            case ControlMessage.RegisterRemote r -> {
                try {
                    AppHandle h = dp.prepareRemote(r.name(), MatchRule.parse(r.match()), r.guaranteed(), r.burstable());
                    pending.add(h);
                    send(new ControlMessage.Registered(r.name(), h.appId(), dp.slotsFile(h.appId()).toString(), dp.pool()));
                } catch (IllegalArgumentException e) {
                    send(new ControlMessage.RegistrationRejected(r.name(), e.getMessage()));
                } catch (RuntimeException e) {
                    LOG.error("registration of app {} from another JVM failed", r.name(), e);
                    send(new ControlMessage.RegistrationRejected(r.name(), Management.oneLine(e)));
                }
            }
            case ControlMessage.Heartbeat hb -> lastSeen.computeIfPresent(hb.appId(), (k, v) -> now);
            case ControlMessage.Unregister u -> {
                AppHandle h = active.get(u.appId());
                if (h != null) {
                    try {
                        dp.unregister(h.name(), Duration.ofMillis(500));
                    } catch (IllegalArgumentException x) {
                        LOG.info("app {} in another JVM unregistered: {}", h.name(), x.getMessage());
                    }
                    forget(u.appId());
                }
            }
            case ControlMessage.Request r -> {
                if (isPending(r.appId())) deferred.add(r);
                else answer(r);
            }
            default -> LOG.warn("unexpected control message {}", m);
        }
    }

    private void answer(ControlMessage.Request r) {
        AppHandle self = active.get(r.appId());
        ControlMessage.Reply reply = self != null ? management.execute(self, r)
            : RemoteManagement.rejected(r, "app id " + r.appId() + " is not an app registered from another JVM"
                + " (a remote app may change only its own policy and limits)");
        if (!send(reply)) {
            // too large or the stream is full: the caller must still get an answer, not silence
            send(RemoteManagement.rejected(r, "the answer to " + r.getClass().getSimpleName() + " could not be sent on the control stream"));
        }
    }

    /** Answers the deferred requests of an app that will never be active with a Rejected. */
    private void dropDeferred(int appId, String reason) {
        for (var it = deferred.iterator(); it.hasNext(); ) {
            ControlMessage.Request r = it.next();
            if (r.appId() == appId) {
                it.remove();
                send(RemoteManagement.rejected(r, reason));
            }
        }
    }

    private boolean isPending(int appId) {
        for (AppHandle h : pending) if (h.appId() == appId) return true;
        return false;
    }

    private void forget(int appId) {
        active.remove(appId);
        lastSeen.remove(appId);
        management.forget(appId);
    }

    private boolean send(ControlMessage m) {
        var frame = codec.encode(m);
        if (frame.capacity() > responses.maxMessageLength()) {
            LOG.warn("control message of {} bytes exceeds the stream's max message length {}: {}", frame.capacity(),
                responses.maxMessageLength(), m.getClass().getSimpleName());
            return false;
        }
        for (int i = 0; i < 100; i++) {
            if (responses.offer(frame, 0, frame.capacity()) >= 0) return true;
            Thread.onSpinWait();
        }
        return false;
    }

    @Override
    public void close() {
        requests.close();
        responses.close();
    }
}
