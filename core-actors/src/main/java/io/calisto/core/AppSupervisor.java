package io.calisto.core;

import io.calisto.aeron.CoreSlot;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per application: spawns its {@link CoreActor}s as children and watches them. A child that stops without
 * being asked to (its handler threw an Error) gets its slot marked {@link CoreSlot#FAILED}: the IO core takes that
 * core back at its next check and counts what was queued there as app-error, and the app goes on with its other
 * cores. The only state here (children by core, the cores being stopped on purpose) is this actor's own.
 */
final class AppSupervisor extends AbstractBehavior<AppSupervisor.Command> {
    private static final Logger LOG = LoggerFactory.getLogger(AppSupervisor.class);

    sealed interface Command {}

    record StartCore(int core, CoreSlot slot, Behavior<CoreActor.Command> behavior) implements Command {}

    record StopCore(int core, CompletableFuture<Void> done) implements Command {}

    private record CoreStopped(int core, CoreSlot slot) implements Command {}

    /** The runtime stopped its core-actors for good ({@link AppRuntime#stopAll}): the supervisor goes too. */
    enum Stop implements Command { INSTANCE }

    private final String app;
    private final AtomicInteger failed;
    private final Map<Integer, ActorRef<CoreActor.Command>> children = new HashMap<>();
    private int generation;

    static Behavior<Command> create(String app, AtomicInteger failed) {
        return Behaviors.setup(ctx -> new AppSupervisor(ctx, app, failed));
    }

    private AppSupervisor(ActorContext<Command> ctx, String app, AtomicInteger failed) {
        super(ctx);
        this.app = app;
        this.failed = failed;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(StartCore.class, this::onStart)
            .onMessage(StopCore.class, this::onStopCore)
            .onMessage(CoreStopped.class, this::onStopped)
            .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
            .build();
    }

    private Behavior<Command> onStart(StartCore s) {
        // the pinned dispatcher gives each core-actor a thread of its own for life
        ActorRef<CoreActor.Command> child = getContext().spawn(s.behavior(), "core-" + s.core() + "-" + (generation++),
            DispatcherSelector.fromConfig("calisto.core-dispatcher"));
        getContext().watchWith(child, new CoreStopped(s.core(), s.slot()));
        children.put(s.core(), child);
        return this;
    }

    private Behavior<Command> onStopCore(StopCore s) {
        ActorRef<CoreActor.Command> child = children.remove(s.core());
        if (child == null) s.done().completeExceptionally(new IllegalStateException("app " + app + " has no core-actor for core " + s.core()));
        else child.tell(new CoreActor.Stop(s.done()));
        return this;
    }

    private Behavior<Command> onStopped(CoreStopped s) {
        // asked to stop: already removed from children; otherwise it died
        if (children.remove(s.core()) != null) {
            s.slot().fail();
            failed.incrementAndGet();
            LOG.warn("core-actor of app {} on core {} died: the core is taken back and its queued packets count as app-error", app, s.core());
        }
        return this;
    }
}
