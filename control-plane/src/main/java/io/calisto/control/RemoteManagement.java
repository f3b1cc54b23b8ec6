package io.calisto.control;

import io.calisto.core.remote.AppSummary;
import io.calisto.core.remote.ControlMessage;
import io.calisto.core.remote.ControlMessage.Reply;
import io.calisto.core.remote.ControlMessage.Request;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Management} protocol for an app in another JVM: the same Dataplane calls, the same texts, errors
 * turned into a Rejected with the dataplane's one-line message. An app acts on itself only (its handle comes from
 * the registry, never from the request). Used by {@link RemoteRegistry} on the event-pump thread only.
 */
final class RemoteManagement {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteManagement.class);
    private final Dataplane dp;
    /** Ids of the remote apps that want their core events. */
    private final Set<Integer> subscribed = new HashSet<>();

    RemoteManagement(Dataplane dp) { this.dp = dp; }

    Reply execute(AppHandle self, Request r) {
        String app = self.name();
        try {
            return switch (r) {
                case ControlMessage.SetPolicy p -> {
                    dp.setPolicy(app, p.policy());
                    yield done(r, app + " now dispatches with " + p.policy());
                }
                case ControlMessage.SetCoreLimits l -> {
                    dp.setCoreLimits(app, l.guaranteed(), l.burstable());
                    yield done(r, app + " limits guaranteed=" + l.guaranteed() + " burstable=" + l.burstable());
                }
                case ControlMessage.DrainCore d -> {
                    dp.drainCore(d.core(), d.restore());
                    yield done(r, (d.restore() ? "restored core " : "drained core ") + d.core());
                }
                case ControlMessage.GetStats g -> new ControlMessage.Stats(r.correlation(), r.appId(),
                    dp.stats().stream().map(RemoteManagement::summary).toArray(AppSummary[]::new));
                case ControlMessage.SubscribeEvents s -> {
                    subscribed.add(self.appId());
                    yield done(r, "subscribed");
                }
                case ControlMessage.UnsubscribeEvents u -> {
                    subscribed.remove(self.appId());
                    yield done(r, "unsubscribed");
                }
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            return rejected(r, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("request {} of app {} failed", r, app, e);
            return rejected(r, "internal error: " + e);
        }
    }

    /** The wire form of {@code e} if app {@code appId} subscribed to its events, else null. */
    ControlMessage.RemoteCoreEvent event(int appId, CoreEvent e) {
        if (!subscribed.contains(appId)) return null;
        return new ControlMessage.RemoteCoreEvent(appId, e.getClass().getSimpleName(), e.core(), e.reason(), e.tNanos(), e.signal());
    }

    /** The app unregistered or was reclaimed: no more events for it. */
    void forget(int appId) { subscribed.remove(appId); }

    static Reply rejected(Request r, String reason) { return new ControlMessage.Rejected(r.correlation(), r.appId(), reason); }

    private static Reply done(Request r, String text) { return new ControlMessage.Done(r.correlation(), r.appId(), text); }

    static AppSummary summary(AppStats s) {
        List<AppStats.CoreStats> cores = s.cores();
        var coreSummaries = new AppSummary.CoreSummary[cores.size()];
        for (int i = 0; i < coreSummaries.length; i++) {
            AppStats.CoreStats c = cores.get(i);
            coreSummaries[i] = new AppSummary.CoreSummary(c.core(), c.dispatched(), c.delivered(), c.queuedBytes(), c.state());
        }
        String[] reasons = new String[s.drops().size()];
        long[] drops = new long[reasons.length];
        int i = 0;
        for (Map.Entry<String, Long> d : s.drops().entrySet()) {
            reasons[i] = d.getKey();
            drops[i++] = d.getValue();
        }
        return new AppSummary(s.app(), s.policy(), s.guaranteed(), s.burstable(), s.heldCores().stream().mapToInt(Integer::intValue).toArray(),
            coreSummaries, reasons, drops, s.grants(), s.yields(), s.preemptions(), s.revokes(), s.migratedFlows(), s.tableFullFallbacks());
    }
}
