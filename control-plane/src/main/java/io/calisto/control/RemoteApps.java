package io.calisto.control;

import io.calisto.aeron.MatchRule;
import io.calisto.core.remote.AppProtocol;
import io.calisto.core.remote.AppSummary;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Applications in other JVMs, over Pekko remoting ({@link AppProtocol}): registration, activation once the app's
 * core-actors are subscribed, each app's management of itself, the forwarding of its own core events, and its
 * reclaim when its JVM dies.
 *
 * <p>One owner, no lock: this actor alone holds the remote apps' state. It runs on
 * {@code calisto.management-dispatcher} ({@link Management#PROPS}), like the management actor, because registration,
 * activation and unregistration wait for the IO thread (an unregistration drains for up to
 * {@code calisto.run.drain-timeout}); Pekko's default dispatcher is never blocked.
 *
 * <p>A {@link AppProtocol.Register} reaches it through the management actor (the one well-known path,
 * {@code /system/management}). Each registered app gets a <em>session</em>, a child actor with an unguessable name
 * that tags everything it receives with the app's id: the app sends every further command there, so it can act on
 * itself only. Each app's {@link AppProtocol.Register#app} ref is watched: when the app's JVM dies (Pekko's watch
 * failure detector, {@code pekko.remote.watch-failure-detector} in reference.conf: about 1.5 s) or its listener stops,
 * the app is unregistered with no drain: its cores go back to the scheduler and what it never consumed is counted as
 * {@code app-gone}. Core events come from the {@link ControlPlane} (this actor is one of its subscribers), in the
 * order it publishes them; each subscribed app gets its own only.
 */
public final class RemoteApps {
    public sealed interface Command {}

    /** A command that came to the management actor (only {@link AppProtocol.Register} is valid there). */
    record Anonymous(AppProtocol.Command command) implements Command {}

    /** A command that came through app {@code appId}'s session. */
    record FromApp(int appId, AppProtocol.Command command) implements Command {}

    /** App {@code appId}'s ref terminated: its JVM died (or was unreachable), or its listener stopped. */
    record AppGone(int appId) implements Command {}

    record Event(CoreEvent event) implements Command {}

    /** Check again whether every RX stream of a pending app is subscribed. */
    record CheckReady(int appId, long deadlineNanos, ActorRef<AppProtocol.Reply> replyTo) implements Command {}

    /** Longest wait, after Ready, for the app's core-actors' subscriptions to reach the dataplane's publications. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(5);

    private static final class App {
        final AppHandle handle;
        final ActorRef<AppProtocol.Notice> ref;
        final ActorRef<AppProtocol.Command> session;
        boolean active;
        boolean subscribed;

        App(AppHandle handle, ActorRef<AppProtocol.Notice> ref, ActorRef<AppProtocol.Command> session) {
            this.handle = handle;
            this.ref = ref;
            this.session = session;
        }
    }

    private final ActorContext<Command> ctx;
    private final Dataplane dp;
    private final Map<Integer, App> byId = new HashMap<>();
    private final Map<String, App> byName = new HashMap<>();
    private final SecureRandom random = new SecureRandom();

    private RemoteApps(ActorContext<Command> ctx, Dataplane dp) {
        this.ctx = ctx;
        this.dp = dp;
    }

    /**
     * Spawn with {@link Management#PROPS}; subscribes itself to {@code controlPlane}'s core events. A failure outside a
     * command's own handling is logged and the actor resumes: a restart would forget every remote app it watches.
     */
    static Behavior<Command> create(Dataplane dp, ActorRef<ControlPlane.Command> controlPlane) {
        return Behaviors.supervise(Behaviors.<Command>setup(ctx -> {
            controlPlane.tell(new ControlPlane.Subscribe(ctx.messageAdapter(CoreEvent.class, Event::new)));
            return new RemoteApps(ctx, dp).running();
        })).onFailure(SupervisorStrategy.resume());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
            .onMessage(Anonymous.class, a -> {
                if (a.command() instanceof AppProtocol.Register r) register(r);
                else reject(a.command(), "send " + a.command().getClass().getSimpleName()
                    + " to the session the registration returned, not to the management actor");
                return Behaviors.same();
            })
            .onMessage(FromApp.class, f -> {
                App app = byId.get(f.appId());
                if (app == null) reject(f.command(), "app id " + f.appId() + " is no longer registered");
                else fromApp(app, f.command());
                return Behaviors.same();
            })
            .onMessage(CheckReady.class, c -> {
                App app = byId.get(c.appId());
                if (app != null && !app.active) checkReady(app, c.deadlineNanos(), c.replyTo());
                return Behaviors.same();
            })
            .onMessage(AppGone.class, g -> {
                App app = byId.get(g.appId());
                if (app != null) gone(app);
                return Behaviors.same();
            })
            .onMessage(Event.class, e -> {
                App app = byName.get(e.event().app());
                if (app != null && app.subscribed) {
                    CoreEvent c = e.event();
                    app.ref.tell(new AppProtocol.CoreEvent(c.getClass().getSimpleName(), c.core(), c.reason(), c.tNanos(), c.signal()));
                }
                return Behaviors.same();
            })
            .build();
    }

    private void register(AppProtocol.Register r) {
        if (r.app() == null || r.replyTo() == null || r.name() == null || r.match() == null) {
            if (r.replyTo() != null) reply(r.replyTo(), new AppProtocol.Rejected("a registration needs a name, a match rule and the app's ref"));
            return;
        }
        AppHandle h;
        try {
            h = dp.prepareRemote(r.name(), MatchRule.parse(r.match()), r.guaranteed(), r.burstable());
        } catch (IllegalArgumentException | IllegalStateException e) {
            reply(r.replyTo(), new AppProtocol.Rejected(Management.oneLine(e)));
            return;
        } catch (RuntimeException e) {
            ctx.getLog().error("registration of app {} from another JVM failed", r.name(), e);
            reply(r.replyTo(), new AppProtocol.Rejected(Management.oneLine(e)));
            return;
        }
        int appId = h.appId();
        ActorRef<Command> self = ctx.getSelf();
        ActorRef<AppProtocol.Command> session = ctx.spawn(
            Behaviors.receive(AppProtocol.Command.class)
                .onMessage(AppProtocol.Command.class, c -> {
                    self.tell(new FromApp(appId, c));
                    return Behaviors.same();
                })
                .build(),
            "app-" + appId + "-" + HexFormat.of().formatHex(nextBytes()), Props.empty());
        App app = new App(h, r.app(), session);
        byId.put(appId, app);
        byName.put(h.name(), app);
        ctx.watchWith(r.app(), new AppGone(appId));
        ctx.getLog().info("app {} (id {}) registered from {}", h.name(), appId, r.app().path().address());
        reply(r.replyTo(), new AppProtocol.Registered(appId, dp.aeron().context().aeronDirectoryName(), dp.streams().channel(),
            dp.slotsFile(appId).toString(), dp.pool(), session));
    }

    private byte[] nextBytes() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return b;
    }

    private void fromApp(App app, AppProtocol.Command c) {
        String name = app.handle.name();
        if (c instanceof AppProtocol.Ready) {
            if (app.active) reply(c.replyTo(), new AppProtocol.Done(name + " is active"));
            else checkReady(app, System.nanoTime() + READY_TIMEOUT.toNanos(), c.replyTo());
            return;
        }
        if (c instanceof AppProtocol.Unregister) {
            unregister(app, c.replyTo());
            return;
        }
        if (!app.active) {
            reject(c, "app " + name + " is not active yet: send Ready once its core-actors are subscribed");
            return;
        }
        AppProtocol.Reply r;
        try {
            r = switch (c) {
                case AppProtocol.SetPolicy p -> {
                    dp.setPolicy(name, p.policy());
                    yield new AppProtocol.Done(name + " now dispatches with " + p.policy());
                }
                case AppProtocol.SetCoreLimits l -> {
                    dp.setCoreLimits(name, l.guaranteed(), l.burstable());
                    yield new AppProtocol.Done(name + " limits guaranteed=" + l.guaranteed() + " burstable=" + l.burstable());
                }
                case AppProtocol.DrainCore d -> {
                    dp.drainCore(d.core(), d.restore());
                    yield new AppProtocol.Done((d.restore() ? "restored core " : "drained core ") + d.core());
                }
                case AppProtocol.GetStats g -> new AppProtocol.Stats(dp.stats().stream().map(RemoteApps::summary).toArray(AppSummary[]::new));
                case AppProtocol.SubscribeEvents s -> {
                    app.subscribed = true;
                    yield new AppProtocol.Done("subscribed");
                }
                case AppProtocol.UnsubscribeEvents u -> {
                    app.subscribed = false;
                    yield new AppProtocol.Done("unsubscribed");
                }
                default -> new AppProtocol.Rejected("unexpected " + c.getClass().getSimpleName());
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            r = new AppProtocol.Rejected(Management.oneLine(e));
        } catch (RuntimeException e) {
            ctx.getLog().error("command {} of app {} failed", c.getClass().getSimpleName(), name, e);
            r = new AppProtocol.Rejected(Management.oneLine(e));
        }
        reply(c.replyTo(), r);
    }

    /** Activates the app once every RX stream is subscribed; looks again in 1 ms until the deadline, then gives up. */
    private void checkReady(App app, long deadlineNanos, ActorRef<AppProtocol.Reply> replyTo) {
        String name = app.handle.name();
        if (Dataplane.connected(app.handle, dp.pool())) {
            try {
                dp.activateRemote(app.handle);
            } catch (RuntimeException e) {
                ctx.getLog().error("app {} in another JVM could not be activated; its registration is dropped", name, e);
                forget(app);
                dp.abandonRemote(app.handle);
                reply(replyTo, new AppProtocol.Rejected("the registration of " + name + " failed: " + Management.oneLine(e)));
                return;
            }
            app.active = true;
            reply(replyTo, new AppProtocol.Done(name + " is active"));
        } else if (System.nanoTime() > deadlineNanos) {
            forget(app);
            dp.abandonRemote(app.handle);
            reply(replyTo, new AppProtocol.Rejected("the core-actors of " + name + " did not subscribe to every RX stream within "
                + READY_TIMEOUT.toMillis() + " ms of Ready; registration dropped"));
        } else {
            ctx.scheduleOnce(Duration.ofMillis(1), ctx.getSelf(), new CheckReady(app.handle.appId(), deadlineNanos, replyTo));
        }
    }

    private void unregister(App app, ActorRef<AppProtocol.Reply> replyTo) {
        String name = app.handle.name();
        forget(app);
        AppProtocol.Reply r;
        if (!app.active) {
            dp.abandonRemote(app.handle);
            r = new AppProtocol.Done("unregistered " + name + " before it was active");
        } else {
            try {
                long gone = dp.unregister(name);
                r = new AppProtocol.Done("unregistered " + name + ", " + gone + " packets counted as app-gone");
            } catch (IllegalArgumentException | IllegalStateException e) {
                r = new AppProtocol.Rejected(Management.oneLine(e));
            }
        }
        reply(replyTo, r);
    }

    /** The app's JVM is gone: no drain, its cores are reclaimed now and its queued packets count as app-gone. */
    private void gone(App app) {
        String name = app.handle.name();
        forget(app);
        if (!app.active) {
            dp.abandonRemote(app.handle);
            ctx.getLog().warn("app {} in another JVM is gone before it was active: registration dropped", name);
            return;
        }
        try {
            long gone = dp.unregister(name, Duration.ZERO);
            ctx.getLog().warn("app {} in another JVM is gone: cores reclaimed, {} packets counted as app-gone", name, gone);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // unregistered meanwhile through the management actor, or that unregistration is still under way
            ctx.getLog().info("app {} in another JVM is gone: {}", name, e.getMessage());
        }
    }

    /** Drops the app from this actor's state: no more events, no more commands (its session stops). */
    private void forget(App app) {
        byId.remove(app.handle.appId());
        byName.remove(app.handle.name(), app);
        ctx.unwatch(app.ref);
        ctx.stop(app.session);
    }

    private static void reject(AppProtocol.Command c, String reason) { reply(c.replyTo(), new AppProtocol.Rejected(reason)); }

    private static void reply(ActorRef<AppProtocol.Reply> to, AppProtocol.Reply r) { to.tell(r); }

    static AppSummary summary(AppStats s) {
        List<AppStats.CoreStats> cores = s.cores();
        var coreSummaries = new AppSummary.CoreSummary[cores.size()];
        for (int i = 0; i < coreSummaries.length; i++) {
            AppStats.CoreStats c = cores.get(i);
            coreSummaries[i] = new AppSummary.CoreSummary(c.core(), c.dispatched(), c.delivered(), c.queued(), c.state());
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
