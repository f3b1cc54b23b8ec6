package io.calisto.control;

import io.calisto.aeron.Streams;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane's list of apps: the registered ones, the names claimed by registrations and unregistrations
 * under way, the app ids held, and the deliveries of apps that are gone.
 *
 * <p>App ids are reused (docs/decisions.md, "App ids are reused"): a claim takes the id that has been free the longest
 * (FIFO) and holds it, with the name, until {@link #free}, which the registrar calls only once everything keyed by
 * the id is gone (streams, IO-side state, counters, scheduler events, slot file). So the ids held never exceed
 * {@code calisto.control.max-apps}, and a standing dataplane serves any number of registrations over its life.
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
    /** The name each id was last claimed for: an app's last core events still name it after it is gone. */
    private final Map<Integer, String> nameById = new ConcurrentHashMap<>();
    /** Ids no app holds, the longest free first. */
    private final Queue<Integer> freeIds = new ConcurrentLinkedQueue<>();
    /** Ids claimed and not yet freed: freeing one twice is a bug, refused rather than queued twice. */
    private final Set<Integer> heldIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong retiredDelivered = new AtomicLong();
    /** Most apps registered, being registered or being unregistered at once ({@code calisto.control.max-apps}). */
    private final int maxApps;

    RegisteredApps(int maxApps) {
        this.maxApps = maxApps;
        for (int id = 0; id < Streams.MAX_APPS; id++) freeIds.add(id);
    }

    /**
     * Claims {@code name} and an app id for it. Refused when {@code calisto.control.max-apps} names are claimed
     * already: each app holds a flow table and per-core streams (tens of MB), so their number is what bounds the
     * memory registrations take.
     */
    int claim(String name) {
        if (!claimed.add(name)) {
            // an unlisted app keeps its name until its id is free (its counters may take a moment to go): say so
            throw new IllegalArgumentException(retiring.contains(name)
                ? "an app named " + name + " is still being unregistered (its streams and counters are being freed); register it again in a moment"
                : "an app named " + name + " is already registered");
        }
        if (claimed.size() > maxApps) {
            claimed.remove(name);
            throw new IllegalArgumentException("no room for app " + name + ": " + maxApps + " apps are registered or registering"
                + " (calisto.control.max-apps)");
        }
        Integer appId = freeIds.poll();
        if (appId == null) {
            // not reached while max-apps <= MAX_APPS (a name and an id are claimed and freed together): the guard
            claimed.remove(name);
            throw new IllegalArgumentException("no app id left (all " + Streams.MAX_APPS + " are held by apps registered or retiring)");
        }
        heldIds.add(appId);
        nameById.put(appId, name);
        return appId;
    }

    /**
     * Everything keyed by {@code appId} is gone: the id goes to the back of the free ids and {@code name} is free
     * again. Once per claim: a registration that did not complete, or an unregistration that finished.
     */
    void free(int appId, String name) {
        if (!heldIds.remove(appId)) throw new IllegalStateException("app id " + appId + " is not held");
        claimed.remove(name);
        freeIds.add(appId);
    }

    /** App ids held now (claimed and not yet freed). */
    int idsHeld() { return heldIds.size(); }

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

    /**
     * {@code h} is no longer served: unlisted, its deliveries kept in the total. Its name and id stay claimed until
     * {@link #free}.
     */
    void remove(AppHandle h) {
        retiredDelivered.addAndGet(h.deliveredTotal());
        apps.remove(h);
    }

    /** The live list (no copy): read it, never change it. {@link CounterPublisher} reads it every pass. */
    List<AppHandle> live() { return apps; }

    /** Packets handed to app handlers, including apps that have since unregistered. */
    long deliveredTotal() {
        long sum = retiredDelivered.get();
        for (AppHandle a : apps) sum += a.deliveredTotal();
        return sum;
    }

    /** The name app {@code appId} was last registered under (also after it is gone, until the id is claimed again). */
    String name(int appId) { return nameById.getOrDefault(appId, "app" + appId); }
}
