package io.calisto.control;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.CounterTypes;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.Streams;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.kernel.IoKernel;
import io.calisto.io.sched.SchedulerListener;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors the IO core's counters into the Aeron counters file every millisecond, so AeronStat, {@code calisto stat}
 * (or any process mapping the same Aeron directory) can watch the dataplane: the port's totals, and per registered
 * app its per-core delivery and queue, scheduler decisions, flow table and drops. The IO thread never touches Aeron
 * counters itself: it keeps plain single-writer counts, and this copy runs on the control-plane's pump thread.
 *
 * <p>Apps come and go: each pass reconciles the counters held (an array indexed by app id) with the app list, adding
 * an app's counters when it first appears and closing them once it is gone. Only those two steps allocate; a pass
 * over a steady set of apps allocates nothing of its own. One thread only (the pump, or the closing thread after it).
 */
final class CounterPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CounterPublisher.class);
    private static final DropReason[] REASONS = DropReason.values();

    private final Aeron aeron;
    private final IoKernel kernel;
    private final Supplier<? extends List<AppHandle>> apps;
    private final Counter rx, replies, tx;
    private final Counter[] drops = new Counter[REASONS.length];
    /** Counters of each app by app id; null where none (never registered, gone, or its counters could not be added). */
    private final AppCounters[] byApp = new AppCounters[Streams.MAX_APPS];
    /**
     * Apps whose counters could not be added (counters file full): not retried every millisecond. Cleared by the first
     * pass that no longer lists the app, so the id's next holder gets its own try.
     */
    private final boolean[] failed = new boolean[Streams.MAX_APPS];
    /** The pass that last listed each failed app. */
    private final long[] failedSeen = new long[Streams.MAX_APPS];
    private long pass;

    /** {@code apps}: the registered apps, read once per pass (the dataplane's live list: no copy per pass). */
    CounterPublisher(Aeron aeron, IoKernel kernel, Supplier<? extends List<AppHandle>> apps) {
        this.aeron = aeron;
        this.kernel = kernel;
        this.apps = apps;
        this.rx = CounterTypes.add(aeron, CounterTypes.RX_PACKETS, -1, "calisto rx packets");
        this.replies = CounterTypes.add(aeron, CounterTypes.REPLIES, -1, "calisto replies from apps");
        this.tx = CounterTypes.add(aeron, CounterTypes.TX_PACKETS, -1, "calisto tx packets");
        for (DropReason r : REASONS) {
            drops[r.ordinal()] = CounterTypes.add(aeron, CounterTypes.DROPS, r.ordinal(), "calisto drops " + r.label());
        }
    }

    void publish() {
        // the Aeron client closes itself (and unmaps the counters file) when its conductor stalled past the driver's
        // service timeout: writing a counter then would crash the JVM, so stop publishing once it is closed
        if (aeron.isClosed() || rx.isClosed()) return;
        rx.setRelease(kernel.received());
        replies.setRelease(kernel.replies());
        tx.setRelease(kernel.transmitted());
        for (DropReason r : REASONS) drops[r.ordinal()].setRelease(kernel.dropped(r));

        long now = ++pass;
        for (AppHandle h : apps.get()) {
            int id = h.appId();
            AppCounters c = byApp[id];
            // not expected (a reused id is freed only after a pass that closed its old holder's counters), but never
            // publish one app under another's counters
            if (c != null && c.handle != h) {
                c.close();
                c = byApp[id] = null;
            }
            if (c == null) {
                if (failed[id]) {
                    failedSeen[id] = now;
                    continue;
                }
                c = byApp[id] = add(h);
                if (c == null) continue;
            }
            c.seen = now;
            c.publish();
        }
        for (int id = 0; id < byApp.length; id++) {
            AppCounters c = byApp[id];
            if (c != null && c.seen != now) {
                c.close();
                byApp[id] = null;
            }
            if (failed[id] && failedSeen[id] != now) failed[id] = false;
        }
    }

    private AppCounters add(AppHandle h) {
        try {
            return new AppCounters(aeron, h);
        } catch (RuntimeException e) {
            failed[h.appId()] = true;
            failedSeen[h.appId()] = pass;
            LOG.warn("no counters for app {} in the Aeron counters file: {}", h.name(), e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        rx.close();
        replies.close();
        tx.close();
        for (Counter c : drops) c.close();
        for (int id = 0; id < byApp.length; id++) {
            if (byApp[id] != null) byApp[id].close();
            byApp[id] = null;
        }
    }

    /** One app's counters; built when the app appears, closed when it goes. */
    private static final class AppCounters {
        final AppHandle handle;
        final AppDispatch d;
        /** The cores the app has a core-actor (a slot) on, and their counters in the same order. */
        final int[] cores;
        final Counter[] dispatched, delivered, queued, state;
        final Counter grants, yields, preemptions, revokes, flows, expired, fallbacks, migrations;
        final Counter[] drops = new Counter[REASONS.length];
        long seen;

        AppCounters(Aeron aeron, AppHandle h) {
            this.handle = h;
            this.d = h.dispatch();
            int n = 0;
            for (var slot : d.slots) if (slot != null) n++;
            cores = new int[n];
            n = 0;
            for (int core = 0; core < d.slots.length; core++) if (d.slots[core] != null) cores[n++] = core;
            dispatched = new Counter[n];
            delivered = new Counter[n];
            queued = new Counter[n];
            state = new Counter[n];
            Counter[] made = new Counter[4 * n + 8 + REASONS.length];
            int m = 0;
            try {
                for (int i = 0; i < n; i++) {
                    made[m++] = dispatched[i] = core(aeron, CounterTypes.APP_CORE_DISPATCHED, cores[i], "dispatched");
                    made[m++] = delivered[i] = core(aeron, CounterTypes.APP_CORE_DELIVERED, cores[i], "delivered");
                    made[m++] = queued[i] = core(aeron, CounterTypes.APP_CORE_QUEUED, cores[i], "queued");
                    made[m++] = state[i] = core(aeron, CounterTypes.APP_CORE_STATE, cores[i], "core slot state");
                }
                made[m++] = yields = app(aeron, CounterTypes.APP_YIELDS, -1, "yields");
                made[m++] = preemptions = app(aeron, CounterTypes.APP_PREEMPTIONS, -1, "preemptions");
                made[m++] = revokes = app(aeron, CounterTypes.APP_REVOKES, -1, "revokes");
                made[m++] = flows = app(aeron, CounterTypes.APP_FLOWS, -1, "flows in table");
                made[m++] = expired = app(aeron, CounterTypes.APP_EXPIRED, -1, "expired flows");
                made[m++] = fallbacks = app(aeron, CounterTypes.APP_FALLBACKS, -1, "table-full fallbacks");
                made[m++] = migrations = app(aeron, CounterTypes.APP_MIGRATIONS, -1, "migrated flows");
                for (DropReason r : REASONS) made[m++] = drops[r.ordinal()] = app(aeron, CounterTypes.APP_DROPS, r.ordinal(), "drops " + r.label());
                // last: a reader shows an app only once it has this one (CounterTypes.APP_GRANTS), so never half-added
                made[m++] = grants = app(aeron, CounterTypes.APP_GRANTS, -1, "grants");
            } catch (RuntimeException e) {
                // made[m++] = x() counts the slot before x() runs: the one that threw is still null
                for (int i = 0; i < m; i++) if (made[i] != null) made[i].close();
                throw e;
            }
        }

        private Counter core(Aeron aeron, int type, int core, String what) {
            return CounterTypes.add(aeron, type, handle.appId(), handle.name(), core, -1, CounterTypes.appLabel(handle.name(), handle.appId(), core, what));
        }

        private Counter app(Aeron aeron, int type, int reason, String what) {
            return CounterTypes.add(aeron, type, handle.appId(), handle.name(), -1, reason, CounterTypes.appLabel(handle.name(), handle.appId(), -1, what));
        }

        /**
         * The same reads {@link Dataplane#stats()} makes: counters the IO thread and the core-actors publish. Each value
         * is exact; a reader may still see one core's values from two passes (the file has no snapshot boundary).
         */
        void publish() {
            for (int i = 0; i < cores.length; i++) {
                int core = cores[i];
                var slot = d.slots[core];
                // delivered and lost before dispatched: what was delivered had been dispatched, so queued >= 0 here
                long got = slot.delivered(), lost = d.appErrors(core), sent = d.dispatched(core);
                got = CoreSlot.believable(got, sent - lost); // the slot is app-writable memory
                dispatched[i].setRelease(sent);
                delivered[i].setRelease(got);
                queued[i].setRelease(Math.max(0, sent - got - lost));
                state[i].setRelease(slot.state());
            }
            grants.setRelease(d.schedEvents.get(SchedulerListener.GRANTED));
            yields.setRelease(d.schedEvents.get(SchedulerListener.YIELDED));
            preemptions.setRelease(d.schedEvents.get(SchedulerListener.PREEMPTED));
            revokes.setRelease(d.schedEvents.get(SchedulerListener.REVOKED));
            var policy = d.policy();
            flows.setRelease(policy.tableSize());
            expired.setRelease(policy.expired());
            fallbacks.setRelease(policy.tableFullFallbacks());
            migrations.setRelease(d.migratedFlows());
            for (DropReason r : REASONS) drops[r.ordinal()].setRelease(d.dropped(r));
        }

        void close() {
            grants.close(); // first: readers stop showing the app before its other counters go
            for (Counter[] cs : new Counter[][] {dispatched, delivered, queued, state, drops}) for (Counter c : cs) c.close();
            for (Counter c : new Counter[] {yields, preemptions, revokes, flows, expired, fallbacks, migrations}) c.close();
        }
    }
}
