package io.calisto.control;

import io.calisto.core.AppSpec;
import io.calisto.core.remote.AppProtocol;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The dataplane's control surface (Shenango's iokerneld control socket): every command gets a reply, and one that
 * fails gets a {@link Rejected} with a one-line reason, never silence.
 *
 * <p>Threads: registration and unregistration wait for the IO thread and for core-actors (up to
 * {@code calisto.run.drain-timeout} for a drain), so the actor runs on its own dispatcher ({@link #PROPS},
 * {@code calisto.management-dispatcher}) and never blocks Pekko's default dispatcher. Commands are handled one at a
 * time, in arrival order. It is supervised with restart: a failure outside a command (which already turns any
 * RuntimeException into a Rejected) restarts it with no state lost, and the ref handed out stays valid.
 */
public final class Management {
    /** Where the management actor runs: a dispatcher of its own (see control-plane's reference.conf). */
    public static final String DISPATCHER = "calisto.management-dispatcher";

    /** Props the management actor must be spawned with. */
    public static final Props PROPS = DispatcherSelector.fromConfig(DISPATCHER);

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

    /** What the management actor acts on: the {@link Dataplane}, or a stand-in in tests. */
    interface Target {
        AppHandle register(ActorSystem<?> appSystem, AppSpec spec, int guaranteed, int burstable);

        long unregister(String app);

        void setPolicy(String app, String policy);

        void setCoreLimits(String app, int guaranteed, int burstable);

        void drainCore(int core, boolean restore);

        List<AppStats> stats();

        void controlPlane(ControlPlane.Command c);

        /** A command of an app in another JVM ({@link AppProtocol}): the Dataplane hands it to {@link RemoteApps}. */
        default void fromApp(AppProtocol.Command c) { c.replyTo().tell(new AppProtocol.Rejected("this dataplane serves no apps from other JVMs")); }
    }

    private final ActorContext<Command> ctx;
    private final Target dp;

    private Management(ActorContext<Command> ctx, Target dp) {
        this.ctx = ctx;
        this.dp = dp;
    }

    /** The management behaviour of {@code dp}; spawn it with {@link #PROPS}. */
    public static Behavior<Command> create(Dataplane dp) {
        return create(new Target() {
            @Override public AppHandle register(ActorSystem<?> s, AppSpec spec, int g, int b) { return dp.register(s, spec, g, b); }
            @Override public long unregister(String app) { return dp.unregister(app); }
            @Override public void setPolicy(String app, String policy) { dp.setPolicy(app, policy); }
            @Override public void setCoreLimits(String app, int g, int b) { dp.setCoreLimits(app, g, b); }
            @Override public void drainCore(int core, boolean restore) { dp.drainCore(core, restore); }
            @Override public List<AppStats> stats() { return dp.stats(); }
            @Override public void controlPlane(ControlPlane.Command c) { dp.controlSystem().tell(c); }
            @Override public void fromApp(AppProtocol.Command c) { dp.remoteApps().tell(new RemoteApps.Anonymous(c)); }
        });
    }

    static Behavior<Command> create(Target target) {
        return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new Management(ctx, target).running()))
            .onFailure(SupervisorStrategy.restart());
    }

    /**
     * Apps in other JVMs send {@link AppProtocol.Command}s here, the dataplane's one well-known path. core-actors cannot
     * see {@link Command}, so they are matched by their own runtime class and handed on as Objects (a handler typed
     * {@code Command} would cast them and fail).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Class<Command> FROM_OTHER_JVMS = (Class) AppProtocol.Command.class;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private org.apache.pekko.japi.function.Function<Command, Behavior<Command>> fromOtherJvms() {
        org.apache.pekko.japi.function.Function<Object, Behavior<Command>> forward = m -> {
            dp.fromApp((AppProtocol.Command) m);
            return Behaviors.same();
        };
        return (org.apache.pekko.japi.function.Function) forward;
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
            .onMessage(RegisterApp.class, c -> reply(c, c.replyTo(), () -> {
                AppHandle h = dp.register(c.appSystem(), c.spec(), c.guaranteed(), c.burstable());
                return new Registered(h.name(), h.appId());
            }))
            .onMessage(UnregisterApp.class, c -> reply(c, c.replyTo(), () -> {
                long gone = dp.unregister(c.app());
                return new Done("unregistered " + c.app() + ", " + gone + " packets counted as app-gone");
            }))
            .onMessage(SetPolicy.class, c -> reply(c, c.replyTo(), () -> {
                dp.setPolicy(c.app(), c.policy());
                return new Done(c.app() + " now dispatches with " + c.policy());
            }))
            .onMessage(SetCoreLimits.class, c -> reply(c, c.replyTo(), () -> {
                dp.setCoreLimits(c.app(), c.guaranteed(), c.burstable());
                return new Done(c.app() + " limits guaranteed=" + c.guaranteed() + " burstable=" + c.burstable());
            }))
            .onMessage(DrainCore.class, c -> reply(c, c.replyTo(), () -> {
                dp.drainCore(c.core(), c.restore());
                return new Done((c.restore() ? "restored core " : "drained core ") + c.core());
            }))
            .onMessage(GetStats.class, c -> reply(c, c.replyTo(), () -> new Stats(dp.stats())))
            .onMessage(Subscribe.class, c -> reply(c, c.replyTo(), () -> {
                dp.controlPlane(new ControlPlane.Subscribe(c.subscriber()));
                return new Done("subscribed");
            }))
            .onMessage(Unsubscribe.class, c -> reply(c, c.replyTo(), () -> {
                dp.controlPlane(new ControlPlane.Unsubscribe(c.subscriber()));
                return new Done("unsubscribed");
            }))
            .onMessage(FROM_OTHER_JVMS, fromOtherJvms())
            .build();
    }

    /** Runs {@code action} and answers with its reply, or with a Rejected for any RuntimeException it throws. */
    private Behavior<Command> reply(Command c, ActorRef<Reply> to, java.util.function.Supplier<Reply> action) {
        Reply r;
        try {
            r = action.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            r = new Rejected(oneLine(e));
        } catch (RuntimeException e) {
            // not a refusal the dataplane meant to give: the caller still gets an answer, the log gets the stack
            ctx.getLog().error("management command {} failed", c.getClass().getSimpleName(), e);
            r = new Rejected(oneLine(e));
        }
        to.tell(r);
        return Behaviors.same();
    }

    /**
     * The reason given for {@code e}, on one line: an IllegalArgumentException's or IllegalStateException's message
     * as the dataplane wrote it, any other exception prefixed with its class name (an NPE or an AeronException is not
     * a refusal, and the reader should see which it was).
     */
    static String oneLine(RuntimeException e) {
        String m = e.getMessage();
        boolean refusal = e instanceof IllegalArgumentException || e instanceof IllegalStateException;
        String text = m == null || m.isBlank() ? e.getClass().getSimpleName()
            : refusal ? m : e.getClass().getSimpleName() + ": " + m;
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
