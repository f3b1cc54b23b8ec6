package io.calisto.control;

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
 * and reclaiming the cores of an app whose heartbeats stopped (its unconsumed packets count as app-gone).
 * Polled by the event-pump thread every millisecond.
 */
final class RemoteRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteRegistry.class);
    private final Dataplane dp;
    private final long timeoutNanos;
    private final Subscription requests;
    private final Publication responses;
    private final ControlCodec codec = new ControlCodec();
    private final List<AppHandle> pending = new ArrayList<>();
    /** Names being registered; read without the registry's lock so Dataplane.register cannot deadlock with poll. */
    private final java.util.Set<String> pendingNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> lastSeen = new HashMap<>();
    private final Map<Integer, AppHandle> active = new HashMap<>();

    RemoteRegistry(Dataplane dp, Duration timeout) {
        this.dp = dp;
        this.timeoutNanos = timeout.toNanos();
        this.requests = dp.aeron().addSubscription(dp.streams().channel(), Streams.CONTROL_REQUESTS);
        this.responses = dp.aeron().addPublication(dp.streams().channel(), Streams.CONTROL_RESPONSES);
    }

    boolean pending(String name) { return pendingNames.contains(name); }

    synchronized void poll(long now) {
        requests.poll((b, o, l, h) -> handle(codec.decode(b, o, l), now), 16);
        for (var it = pending.iterator(); it.hasNext(); ) {
            AppHandle h = it.next();
            if (Dataplane.connected(h, dp.pool())) {
                it.remove();
                dp.activateRemote(h);
                pendingNames.remove(h.name());
                active.put(h.appId(), h);
                lastSeen.put(h.appId(), now);
            }
        }
        for (var e : new ArrayList<>(active.entrySet())) {
            if (now - lastSeen.get(e.getKey()) > timeoutNanos) {
                long gone = dp.unregister(e.getValue().name(), Duration.ZERO);
                LOG.warn("app {} in another JVM sent no heartbeat for {} ms: cores reclaimed, {} packets counted as app-gone",
                    e.getValue().name(), timeoutNanos / 1_000_000, gone);
                forget(e.getKey());
            }
        }
    }

    private void handle(ControlMessage m, long now) {
        switch (m) {
            case ControlMessage.RegisterRemote r -> {
                try {
                    AppHandle h = dp.prepareRemote(r.name(), MatchRule.parse(r.match()), r.guaranteed(), r.burstable());
                    pending.add(h);
                    pendingNames.add(h.name());
                    send(new ControlMessage.Registered(r.name(), h.appId(), dp.slotsFile(h.appId()).toString(), dp.pool()));
                } catch (IllegalArgumentException e) {
                    send(new ControlMessage.RegistrationRejected(r.name(), e.getMessage()));
                }
            }
            case ControlMessage.Heartbeat hb -> lastSeen.computeIfPresent(hb.appId(), (k, v) -> now);
            case ControlMessage.Unregister u -> {
                AppHandle h = active.get(u.appId());
                if (h != null) {
                    dp.unregister(h.name(), Duration.ofMillis(500));
                    forget(u.appId());
                }
            }
            default -> LOG.warn("unexpected control message {}", m);
        }
    }

    private void forget(int appId) {
        active.remove(appId);
        lastSeen.remove(appId);
    }

    private void send(ControlMessage m) {
        var frame = codec.encode(m);
        for (int i = 0; i < 100 && responses.offer(frame, 0, frame.capacity()) < 0; i++) Thread.onSpinWait();
    }

    @Override
    public synchronized void close() {
        requests.close();
        responses.close();
    }
}
