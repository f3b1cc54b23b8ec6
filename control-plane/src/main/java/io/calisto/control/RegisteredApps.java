package io.calisto.control;

import io.calisto.aeron.Streams;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane's list of apps: the registered ones, the names claimed by registrations and unregistrations
 * under way, the app ids handed out, and the deliveries of apps that are gone.
 *
 * <p>Threads: registration, unregistration, stats and the event pump may use it from several threads at once, so
 * everything here is concurrent and nothing is locked (docs/decisions.md, 22). A name is claimed by one atomic add:
 * two registrations of one name cannot both pass.
 */
final class RegisteredApps {
    private final List<AppHandle> apps = new CopyOnWriteArrayList<>();
    /** Names of registered apps and of apps being registered or unregistered: adding one is the claim on it. */
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();
    /** Apps an unregistration is under way for: a second one of the same app is rejected, not run twice. */
    private final Set<String> retiring = ConcurrentHashMap.newKeySet();
    /** Every id handed out, kept after the app is gone: its last core events still name it. */
    private final Map<Integer, String> nameById = new ConcurrentHashMap<>();
    private final AtomicInteger nextAppId = new AtomicInteger();
    private final AtomicLong retiredDelivered = new AtomicLong();
    /** Most apps registered, being registered or being unregistered at once ({@code calisto.control.max-apps}). */
    private final int maxApps;

    RegisteredApps(int maxApps) { this.maxApps = maxApps; }

    /**
     * Claims {@code name} and an app id for it; the name is free again if no id is left. Refused when
     * {@code calisto.control.max-apps} names are claimed already: each app holds a flow table and per-core streams (tens
     * of MB), so their number is what bounds the memory registrations take.
     */
    int claim(String name) {
        if (!claimed.add(name)) throw new IllegalArgumentException("an app named " + name + " is already registered");
        if (claimed.size() > maxApps) {
            claimed.remove(name);
            throw new IllegalArgumentException("no room for app " + name + ": " + maxApps + " apps are registered or registering"
                + " (calisto.control.max-apps)");
        }
        int appId = nextAppId.getAndUpdate(n -> n < Streams.MAX_APPS ? n + 1 : n);
        if (appId >= Streams.MAX_APPS) {
            claimed.remove(name);
            throw new IllegalArgumentException("no app id left (max " + Streams.MAX_APPS + " registrations per run)");
        }
        nameById.put(appId, name);
        return appId;
    }

    /** A registration that did not complete: its name is free again (its id is not reused). */
    void release(String name) { claimed.remove(name); }

    /** {@code h} is served by the IO core now: it is listed, in stats, counters and drains. */
    void add(AppHandle h) { apps.add(h); }

    /** The registered app named {@code name}. */
    AppHandle get(String name) {
        for (AppHandle h : apps) if (h.name().equals(name)) return h;
        throw new IllegalArgumentException("no app named '" + name + "'");
    }

    /** Marks {@code name}'s unregistration as under way; a second one is refused. */
    void startRetiring(String name) {
        if (!retiring.add(name)) throw new IllegalArgumentException("app " + name + " is already being unregistered");
    }

    void doneRetiring(String name) { retiring.remove(name); }

    /** {@code h} is gone: unlisted, its deliveries kept in the total, its name free. */
    void remove(AppHandle h) {
        retiredDelivered.addAndGet(h.deliveredTotal());
        apps.remove(h);
        claimed.remove(h.name());
    }

    /** The live list (no copy): read it, never change it. {@link CounterPublisher} reads it every pass. */
    List<AppHandle> live() { return apps; }

    /** Packets handed to app handlers, including apps that have since unregistered. */
    long deliveredTotal() {
        long sum = retiredDelivered.get();
        for (AppHandle a : apps) sum += a.deliveredTotal();
        return sum;
    }

    /** The name app {@code appId} was registered under (also after it is gone). */
    String name(int appId) { return nameById.getOrDefault(appId, "app" + appId); }
}
