package io.calisto.control;

import io.calisto.aeron.MatchRule;
import io.calisto.core.AppNames;
import io.calisto.core.remote.AppProtocol;
import io.calisto.core.remote.AppSummary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
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
 * {@code /system/management}). Each registered app gets a <em>session</em>, a child actor that tags everything it
 * receives with the app's id, and a <em>token</em> of 128 random bits, sent only in the answer to its registration:
 * the session passes on a command only inside a {@link AppProtocol.SessionCommand} carrying that token, and only if
 * the command's answer goes to the app's own actor system. A session's ref is not a secret (anyone reaching the
 * endpoint can find it with a wildcard selection and {@code Identify}); the token is. So an app can act on itself
 * only, and a name or an id alone lets no one act for it. What an app may do: its own policy, limits, events and
 * unregistration, and read every app's stats; draining or restoring a pool core is the operator's ({@link Management}).
 *
 * <p>Bounds: every registration, local or remote, counts against {@code calisto.control.max-apps}
 * ({@link RegisteredApps}). A registration whose app does not send {@link AppProtocol.Ready} within
 * {@code calisto.control.pending-timeout} is evicted and its name freed. An app dropped by anything but its own
 * unregistration or death (pending timeout, the operator's unregister) is told {@link AppProtocol.Evicted}.
 *
 * <p>Each app's {@link AppProtocol.Register#app} ref is watched: when the app's JVM dies (Pekko's watch
 * failure detector, {@code pekko.remote.watch-failure-detector} in reference.conf: about 1.5 s) or its listener stops,
 * the app is unregistered with no drain: its cores go back to the scheduler and what it never consumed is counted as
 * {@code app-gone}. Core events come from the {@link ControlPlane} (this actor is one of its subscribers), in the
 * order it publishes them; each subscribed app gets its own only.
 */
public final class RemoteApps {
    public sealed interface Command {}

    /** A command that came to the management actor (only {@link AppProtocol.Register} is valid there). */
    record Anonymous(AppProtocol.Command command) implements Command {}

    /*
     * Every message about one app names its registration (its AppHandle), not only its id: ids are reused, and a
     * message about an app that is gone (a late timer, a command its session passed on before it stopped, the
     * operator's Evict) must never act on the id's next holder.
     */

    /** A command that came through {@code app}'s session. */
    record FromApp(AppHandle app, AppProtocol.Command command) implements Command {}

    /** {@code app}'s ref terminated: its JVM died (or was unreachable), or its listener stopped. */
    record AppGone(AppHandle app) implements Command {}

    record Event(CoreEvent event) implements Command {}

    /** Check again whether every RX stream of a pending app is subscribed. */
    record CheckReady(AppHandle app, long deadlineNanos, ActorRef<AppProtocol.Reply> replyTo) implements Command {}

    /** {@code app} was unregistered by someone else (the operator, through {@link Dataplane#unregister}): tell it. */
    record Evict(AppHandle app, String reason) implements Command {}

    /** {@code app}'s pending timeout is up: evicted unless it is active or its Ready is being checked. */
    record PendingExpired(AppHandle app) implements Command {}

    /** Longest wait, after Ready, for the app's core-actors' subscriptions to reach the dataplane's publications. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(5);

    private static final class App {
        final AppHandle handle;
        final ActorRef<AppProtocol.Notice> ref;
        final ActorRef<AppProtocol.Command> session;
        boolean active;
        /** A Ready arrived: its own deadline ({@link #READY_TIMEOUT}) now decides, not the pending timeout. */
        boolean readying;
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
    private final Duration pendingTimeout;

    private RemoteApps(ActorContext<Command> ctx, Dataplane dp, Duration pendingTimeout) {
        this.ctx = ctx;
        this.dp = dp;
        this.pendingTimeout = pendingTimeout;
    }

    /**
     * Spawn with {@link Management#PROPS}; subscribes itself to {@code controlPlane}'s core events. A failure outside a
     * command's own handling is logged and the actor resumes: a restart would forget every remote app it watches.
     */
    static Behavior<Command> create(Dataplane dp, ActorRef<ControlPlane.Command> controlPlane, Duration pendingTimeout) {
        return Behaviors.supervise(Behaviors.<Command>setup(ctx -> {
            controlPlane.tell(new ControlPlane.Subscribe(ctx.messageAdapter(CoreEvent.class, Event::new)));
            return new RemoteApps(ctx, dp, pendingTimeout).running();
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
                App app = find(f.app());
                if (app == null) reject(f.command(), "app " + f.app().name() + " (id " + f.app().appId() + ") is no longer registered");
                else fromApp(app, f.command());
                return Behaviors.same();
            })
            .onMessage(CheckReady.class, c -> {
                App app = find(c.app());
                if (app != null && !app.active) checkReady(app, c.deadlineNanos(), c.replyTo());
                return Behaviors.same();
            })
            .onMessage(Evict.class, e -> {
                App app = find(e.app());
                if (app != null) {
                    forget(app);
                    tellEvicted(app, e.reason());
                }
                return Behaviors.same();
            })
            .onMessage(PendingExpired.class, p -> {
                App app = find(p.app());
                if (app != null && !app.active && !app.readying) {
                    forget(app);
                    dp.abandonRemote(app.handle);
                    tellEvicted(app, "not ready within " + pendingTimeout.toMillis() + " ms of its registration"
                        + " (calisto.control.pending-timeout); registration dropped");
                }
                return Behaviors.same();
            })
            .onMessage(AppGone.class, g -> {
                App app = find(g.app());
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
            .onSignal(PostStop.class, stop -> {
                // the dataplane is stopping (its actor system terminates): every app still here is evicted with it
                for (App app : byId.values()) tellEvicted(app, "the dataplane is stopping");
                return Behaviors.same();
            })
            .build();
    }

    private void register(AppProtocol.Register r) {
        if (r.app() == null || r.replyTo() == null || r.name() == null || r.match() == null) {
            reply(r.replyTo(), new AppProtocol.Rejected("a registration needs a name, a match rule and the app's ref"));
            return;
        }
        // the app's ref is watched for its death: it must live where the registration came from, and not here (a ref of
        // this dataplane never dies, so the registration would outlive its app)
        Address from = r.replyTo().path().address();
        if (!r.app().path().address().equals(from) || !from.hasGlobalScope() || from.equals(ctx.getSystem().address())) {
            reply(r.replyTo(), new AppProtocol.Rejected("a registration's app ref must be in the registering actor system ("
                + from + "), and that system must be another JVM's"));
            return;
        }
        for (App other : byId.values()) {
            if (other.ref.equals(r.app())) {
                // one watch per ref: a second registration on it could never be told apart when the ref dies
                reply(r.replyTo(), new AppProtocol.Rejected("that app ref already holds the registration of " + other.handle.name()));
                return;
            }
        }
        AppHandle h;
        try {
            h = dp.prepareRemote(r.name(), MatchRule.parse(r.match()), r.guaranteed(), r.burstable());
        } catch (IllegalArgumentException | IllegalStateException e) {
            reply(r.replyTo(), new AppProtocol.Rejected(Management.oneLine(e)));
            return;
        } catch (RuntimeException e) {
            ctx.getLog().error("registration of app {} from another JVM failed", AppNames.printable(r.name()), e);
            reply(r.replyTo(), new AppProtocol.Rejected(Management.oneLine(e)));
            return;
        }
        int appId = h.appId();
        App stale = byId.get(appId);
        if (stale != null) {
            // the id's previous holder was retired by the operator (Dataplane#unregister) and its Evict is still on the
            // way: it is done with here and now, and the Evict, naming that registration, will find nothing
            forget(stale);
            tellEvicted(stale, "unregistered by the dataplane's operator");
        }
        String token = HexFormat.of().formatHex(nextBytes());
        ActorRef<AppProtocol.Command> session = ctx.spawn(session(h, token, ctx.getSelf()),
            "app-" + appId + "-" + HexFormat.of().formatHex(nextBytes()), Props.empty());
        App app = new App(h, r.app(), session);
        byId.put(appId, app);
        byName.put(h.name(), app);
        ctx.watchWith(r.app(), new AppGone(h));
        ctx.scheduleOnce(pendingTimeout, ctx.getSelf(), new PendingExpired(h));
        ctx.getLog().info("app {} (id {}) registered from {}", h.name(), appId, r.app().path().address());
        reply(r.replyTo(), new AppProtocol.Registered(appId, dp.aeron().context().aeronDirectoryName(), dp.streams().channel(),
            dp.slotsFile(appId).toString(), dp.pool(), session, token));
    }

    /**
     * App {@code appId}'s session: passes on a command that comes inside a {@link AppProtocol.SessionCommand} with
     * {@code token} (compared in constant time), rejects anything else. It holds no state but the token.
     */
    private static Behavior<AppProtocol.Command> session(AppHandle h, String token, ActorRef<Command> owner) {
        byte[] expected = token.getBytes(StandardCharsets.US_ASCII);
        return Behaviors.receive(AppProtocol.Command.class)
            .onMessage(AppProtocol.Command.class, c -> {
                if (c instanceof AppProtocol.SessionCommand s && s.token() != null
                    && MessageDigest.isEqual(expected, s.token().getBytes(StandardCharsets.US_ASCII))
                    && s.command() != null && !(s.command() instanceof AppProtocol.SessionCommand) && !(s.command() instanceof AppProtocol.Register)) {
                    owner.tell(new FromApp(h, s.command()));
                } else {
                    reject(c, "not this session's token: a session takes only SessionCommands carrying the token its registration returned");
                }
                return Behaviors.same();
            })
            .build();
    }

    private byte[] nextBytes() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return b;
    }

    private void fromApp(App app, AppProtocol.Command c) {
        String name = app.handle.name();
        if (c.replyTo() == null) return;
        if (!c.replyTo().path().address().equals(app.ref.path().address())) {
            // the token leaked, or a confused app: the commands of an app come from its own actor system
            reject(c, "commands of app " + name + " must be answered to its own actor system (" + app.ref.path().address() + ")");
            return;
        }
        if (c instanceof AppProtocol.Ready) {
            if (app.active) reply(c.replyTo(), new AppProtocol.Done(name + " is active"));
            else if (!app.readying) {
                app.readying = true;
                checkReady(app, System.nanoTime() + READY_TIMEOUT.toNanos(), c.replyTo());
            } else reject(c, "app " + name + " already sent Ready; its answer comes once its core-actors are subscribed");
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
        if (!dp.serves(app.handle)) {
            // the operator unregistered it; its Evict is on the way, and the name may already be another app's
            reject(c, "app " + name + " (id " + app.handle.appId() + ") is no longer registered");
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
                case AppProtocol.DrainCore d -> new AppProtocol.Rejected("draining or restoring a pool core changes it for every app:"
                    + " only the operator may (calisto ctl drain/restore)");
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
            ctx.scheduleOnce(Duration.ofMillis(1), ctx.getSelf(), new CheckReady(app.handle, deadlineNanos, replyTo));
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
                long gone = dp.unregisterRemote(name, dp.settings().run().drainTimeout());
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
        // a JVM that only stalled past the failure detector's pause is alive: unless Artery quarantined it, it hears that
        // it was dropped and stops, rather than serving nothing (to a dead one the message is simply lost)
        app.ref.tell(new AppProtocol.Evicted("unreachable for longer than pekko.remote.watch-failure-detector allows: taken for dead"));
        if (!app.active) {
            dp.abandonRemote(app.handle);
            ctx.getLog().warn("app {} in another JVM is gone before it was active: registration dropped", name);
            return;
        }
        try {
            long gone = dp.unregisterRemote(name, Duration.ZERO);
            ctx.getLog().warn("app {} in another JVM is gone: cores reclaimed, {} packets counted as app-gone", name, gone);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // unregistered meanwhile through the management actor, or that unregistration is still under way
            ctx.getLog().info("app {} in another JVM is gone: {}", name, e.getMessage());
        }
    }

    /** The app of registration {@code h} while this actor holds it; null once it is forgotten (its id may be another's now). */
    private App find(AppHandle h) {
        App app = byId.get(h.appId());
        return app != null && app.handle == h ? app : null;
    }

    /** Drops the app from this actor's state: no more events, no more commands (its session stops). */
    private void forget(App app) {
        byId.remove(app.handle.appId(), app);
        byName.remove(app.handle.name(), app);
        ctx.unwatch(app.ref);
        ctx.stop(app.session);
    }

    private void tellEvicted(App app, String reason) {
        ctx.getLog().warn("app {} (id {}) in another JVM evicted: {}", app.handle.name(), app.handle.appId(), reason);
        app.ref.tell(new AppProtocol.Evicted(reason));
    }

    private static void reject(AppProtocol.Command c, String reason) { reply(c.replyTo(), new AppProtocol.Rejected(reason)); }

    /** A command with no one to answer (a forged one) gets no answer. */
    private static void reply(ActorRef<AppProtocol.Reply> to, AppProtocol.Reply r) {
        if (to != null) to.tell(r);
    }

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
