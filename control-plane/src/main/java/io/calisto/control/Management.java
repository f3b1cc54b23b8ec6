package io.calisto.control;

import io.calisto.core.AppSpec;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The dataplane's control surface (Shenango's iokerneld control socket): every command gets a reply, and an
 * invalid one gets a {@link Rejected} that says why, never silence.
 */
public final class Management {
    public sealed interface Command {}

    /** Register an application living in {@code appSystem} with its core limits. */
    public record RegisterApp(ActorSystem<?> appSystem, AppSpec spec, int guaranteed, int burstable, ActorRef<Reply> replyTo) implements Command {}

    /** Unregister: no new packets are classified for it, queued ones are drained, the rest counted as app-gone. */
    public record UnregisterApp(String app, ActorRef<Reply> replyTo) implements Command {}

    /** Swap the dispatch policy of a running app between two bursts: nothing queued is lost. */
    public record SetPolicy(String app, String policy, ActorRef<Reply> replyTo) implements Command {}

    public record SetCoreLimits(String app, int guaranteed, int burstable, ActorRef<Reply> replyTo) implements Command {}

    /** Take a core out of service (its owner's packets there are drained first); {@code restore} puts it back. */
    public record DrainCore(int core, boolean restore, ActorRef<Reply> replyTo) implements Command {}

    public record GetStats(ActorRef<Reply> replyTo) implements Command {}

    public record Subscribe(ActorRef<CoreEvent> subscriber, ActorRef<Reply> replyTo) implements Command {}

    public record Unsubscribe(ActorRef<CoreEvent> subscriber, ActorRef<Reply> replyTo) implements Command {}

    public sealed interface Reply {}

    public record Done(String what) implements Reply {}

    public record Registered(String app, int appId) implements Reply {}

    public record Rejected(String reason) implements Reply {}

    public record Stats(List<AppStats> apps) implements Reply {}

    private Management() {}

    public static Behavior<Command> create(Dataplane dp) {
        return Behaviors.receive(Command.class)
            .onMessage(RegisterApp.class, c -> reply(c.replyTo(), () -> {
                AppHandle h = dp.register(c.appSystem(), c.spec(), c.guaranteed(), c.burstable());
                return new Registered(h.name(), h.appId());
            }))
            .onMessage(UnregisterApp.class, c -> reply(c.replyTo(), () -> {
                long gone = dp.unregister(c.app());
                return new Done("unregistered " + c.app() + ", " + gone + " packets counted as app-gone");
            }))
            .onMessage(SetPolicy.class, c -> reply(c.replyTo(), () -> {
                dp.setPolicy(c.app(), c.policy());
                return new Done(c.app() + " now dispatches with " + c.policy());
            }))
            .onMessage(SetCoreLimits.class, c -> reply(c.replyTo(), () -> {
                dp.setCoreLimits(c.app(), c.guaranteed(), c.burstable());
                return new Done(c.app() + " limits guaranteed=" + c.guaranteed() + " burstable=" + c.burstable());
            }))
            .onMessage(DrainCore.class, c -> reply(c.replyTo(), () -> {
                dp.drainCore(c.core(), c.restore());
                return new Done((c.restore() ? "restored core " : "drained core ") + c.core());
            }))
            .onMessage(GetStats.class, c -> reply(c.replyTo(), () -> new Stats(dp.stats())))
            .onMessage(Subscribe.class, c -> reply(c.replyTo(), () -> {
                dp.controlSystem().tell(new ControlPlane.Subscribe(c.subscriber()));
                return new Done("subscribed");
            }))
            .onMessage(Unsubscribe.class, c -> reply(c.replyTo(), () -> {
                dp.controlSystem().tell(new ControlPlane.Unsubscribe(c.subscriber()));
                return new Done("unsubscribed");
            }))
            .build();
    }

    private static Behavior<Command> reply(ActorRef<Reply> to, java.util.function.Supplier<Reply> action) {
        Reply r;
        try {
            r = action.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            r = new Rejected(e.getMessage());
        }
        to.tell(r);
        return Behaviors.same();
    }
}
