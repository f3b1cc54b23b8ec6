package io.calisto.core;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import io.calisto.aeron.IdleStrategies;
import io.calisto.aeron.Streams;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * An application's side of the dataplane inside its own Pekko {@link ActorSystem}: one {@link CoreActor} per core
 * the dataplane grants it, each on a dedicated thread of {@code calisto.core-dispatcher}.
 */
public final class AppRuntime {
    private final ActorSystem<?> system;
    private final AppSpec spec;
    private final Aeron aeron;
    private final Streams streams;
    private final int appId;
    private final int pollBatch;
    private final String idleStrategy;
    private final AtomicLongArray delivered = new AtomicLongArray(Streams.MAX_CORES);
    private final Map<Integer, ActorRef<CoreActor.Command>> coreActors = new ConcurrentHashMap<>();
    private int generation;

    private AppRuntime(ActorSystem<?> system, AppSpec spec, Aeron aeron, Streams streams, int appId) {
        Config core = system.settings().config().getConfig("calisto.core");
        this.system = system;
        this.spec = spec;
        this.aeron = aeron;
        this.streams = streams;
        this.appId = appId;
        this.pollBatch = core.getInt("poll-batch");
        if (pollBatch < 1) throw new IllegalArgumentException("calisto.core.poll-batch must be >= 1, was " + pollBatch);
        this.idleStrategy = core.getString("idle-strategy");
        IdleStrategies.of("calisto.core.idle-strategy", idleStrategy);
    }

    /** Registers {@code spec} as application {@code appId} of the dataplane reachable through {@code aeron}. */
    public static AppRuntime register(ActorSystem<?> system, AppSpec spec, Aeron aeron, Streams streams, int appId) {
        return new AppRuntime(system, spec, aeron, streams, appId);
    }

    /** Starts a core-actor on {@code core}; completes once its Aeron subscription exists. */
    public synchronized CompletableFuture<Void> grant(int core) {
        if (coreActors.containsKey(core)) return CompletableFuture.failedFuture(new IllegalStateException("app " + spec.name() + " already holds core " + core));
        CompletableFuture<Void> ready = new CompletableFuture<>();
        var behavior = CoreActor.create(aeron, streams, appId, core, spec.handlers(), pollBatch,
            IdleStrategies.of("calisto.core.idle-strategy", idleStrategy), delivered, ready);
        String name = "calisto-" + spec.name() + "-core-" + core + "-" + (generation++);
        coreActors.put(core, system.systemActorOf(behavior, name, DispatcherSelector.fromConfig("calisto.core-dispatcher")));
        return ready;
    }

    /**
     * Stops the core-actor of {@code core} after it consumed everything published to it up to {@code position}
     * (the IO core's publication position once it stopped dispatching there).
     */
    public CompletableFuture<Void> revoke(int core, long position) {
        ActorRef<CoreActor.Command> ref = coreActors.remove(core);
        if (ref == null) return CompletableFuture.failedFuture(new IllegalStateException("app " + spec.name() + " does not hold core " + core));
        CompletableFuture<Void> done = new CompletableFuture<>();
        ref.tell(new CoreActor.Drain(position, done));
        return done;
    }

    public AppSpec spec() { return spec; }

    public int appId() { return appId; }

    /** Packets the app's handlers received on {@code core}. */
    public long delivered(int core) { return delivered.get(core); }

    public long deliveredTotal() {
        long sum = 0;
        for (int i = 0; i < delivered.length(); i++) sum += delivered.get(i);
        return sum;
    }

    public java.util.Set<Integer> cores() { return java.util.Set.copyOf(coreActors.keySet()); }
}
