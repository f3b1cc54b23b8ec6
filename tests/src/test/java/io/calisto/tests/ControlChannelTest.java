package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.control.AppStats;
import io.calisto.control.Dataplane;
import io.calisto.control.Management;
import io.calisto.control.Ports;
import io.calisto.core.AppSpec;
import io.calisto.core.remote.AppProtocol;
import io.calisto.core.remote.RemoteApp;
import io.calisto.core.serial.KryoSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.Test;

/**
 * The control channel of apps in other JVMs (Pekko remoting) against strangers on the same endpoint (issue 14, part 3):
 * a stranger who finds an app's session cannot act for it, registrations are bounded and a pending one expires, an app
 * the operator unregisters is told and stops serving, names follow the rule, and garbage is dropped and counted while
 * the dataplane keeps answering. Every peer is an actor system of its own in this JVM, talking to the dataplane over
 * Artery TCP on loopback exactly as one in another JVM would.
 */
class ControlChannelTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    static Config config(Map<String, Object> overrides) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of(
            "calisto.cores.pool", List.of(0, 1),
            "calisto.synthetic.rate", 1000,
            "calisto.io.idle-strategy", "backoff",
            // nothing here is about noticing a death: on a loaded machine (load 40 on 2 CPUs seen) the 1 s default pause
            // quarantined a healthy peer of this JVM
            "pekko.remote.watch-failure-detector.acceptable-heartbeat-pause", "20s"));
        all.putAll(overrides);
        return RemoteManagementTest.config(all);
    }

    /** An actor system of an app (or a stranger) with remoting on, as {@link RemoteApp#remoteConfig} gives an app JVM. */
    static ActorSystem<Void> peer(String name, Config c) {
        return ActorSystem.create(Behaviors.empty(), name, RemoteApp.remoteConfig(c));
    }

    static AppSpec spec(String name, int port) {
        return new AppSpec(name, MatchRule.parse("dst-port=" + port), core -> ctx -> {});
    }

    static AppProtocol.Reply ask(ActorSystem<?> from, ActorRef<AppProtocol.Command> to, Function<ActorRef<AppProtocol.Reply>, AppProtocol.Command> c)
        throws Exception {
        return AskPattern.<AppProtocol.Command, AppProtocol.Reply>ask(to, c::apply, WAIT, from.scheduler()).toCompletableFuture().get();
    }

    static ActorRef<AppProtocol.Command> management(ActorSystem<?> from, Dataplane dp) {
        return ActorRefResolver.get(from).resolveActorRef(dp.controlSystem().address() + RemoteApp.MANAGEMENT_PATH);
    }

    /** A listener for an app's notices, in {@code system}: what the dataplane tells it lands in {@code into}. */
    static ActorRef<AppProtocol.Notice> listener(ActorSystem<?> system, String name, BlockingQueue<AppProtocol.Notice> into) {
        return system.systemActorOf(Behaviors.receive(AppProtocol.Notice.class).onMessage(AppProtocol.Notice.class, n -> {
            into.add(n);
            return Behaviors.same();
        }).build(), name, Props.empty());
    }

    static AppStats stats(Dataplane dp, String app) {
        return dp.stats().stream().filter(a -> a.app().equals(app)).findFirst().orElseThrow(() -> new AssertionError(app + " is not registered: " + dp.stats()));
    }

    @Test
    void aStrangerWhoFindsTheSessionCannotActForTheApp() throws Exception {
        Config c = config(Map.of());
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            ActorSystem<Void> appSystem = peer("victim-app", c);
            ActorSystem<Void> stranger = peer("stranger", c);
            try (RemoteApp victim = RemoteApp.connect(appSystem, dp.controlSystem().address().toString(), spec("victim", 7), 0, 1, WAIT)) {
                String policy = stats(dp, "victim").policy();

                // the session is no secret: a wildcard selection answers Identify with its ref
                var selection = Adapter.toClassic(stranger).actorSelection(dp.controlSystem().address() + "/system/remote-apps/*");
                ActorIdentity id = (ActorIdentity) Patterns.ask(selection, new Identify("who"), WAIT).toCompletableFuture().get();
                assertTrue(id.getActorRef().isPresent(), "the stranger found the session");
                ActorRef<AppProtocol.Command> session = Adapter.toTyped(id.getActorRef().get());

                String noToken = "not this session's token: a session takes only SessionCommands carrying the token its registration returned";
                assertEquals(new AppProtocol.Rejected(noToken), ask(stranger, session, r -> new AppProtocol.SetPolicy("modulo", r)));
                assertEquals(new AppProtocol.Rejected(noToken), ask(stranger, session, r -> new AppProtocol.SetCoreLimits(1, 2, r)));
                assertEquals(new AppProtocol.Rejected(noToken), ask(stranger, session, AppProtocol.SubscribeEvents::new));
                assertEquals(new AppProtocol.Rejected(noToken), ask(stranger, session, AppProtocol.Unregister::new));
                assertEquals(new AppProtocol.Rejected(noToken),
                    ask(stranger, session, r -> new AppProtocol.SessionCommand("00000000000000000000000000000000", new AppProtocol.Unregister(r))));
                // the app's own id or name is no credential either: the management actor takes only registrations
                assertEquals(new AppProtocol.Rejected("send Unregister to the session the registration returned, not to the management actor"),
                    ask(stranger, management(stranger, dp), AppProtocol.Unregister::new));

                AppStats after = stats(dp, "victim");
                assertEquals(policy, after.policy());
                assertEquals(List.of(0, 1), List.of(after.guaranteed(), after.burstable()));
                // and the app itself still acts on itself; a pool core is the operator's, not an app's
                assertEquals("victim now dispatches with modulo", victim.setPolicy("modulo"));
                assertEquals("modulo", stats(dp, "victim").policy());
            } finally {
                stranger.terminate();
                appSystem.terminate();
            }
        }
    }

    @Test
    void aRegistrationMustWatchARefOfTheRegisteringSystem() throws Exception {
        Config c = config(Map.of());
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            ActorSystem<Void> stranger = peer("squatter", c);
            try {
                // the dataplane's own management actor never dies: watched as "the app", it would keep the name forever
                ActorRef<AppProtocol.Notice> immortal = ActorRefResolver.get(stranger).resolveActorRef(dp.controlSystem().address() + RemoteApp.MANAGEMENT_PATH);
                AppProtocol.Reply r = ask(stranger, management(stranger, dp), to -> new AppProtocol.Register("squat", "dst-port=9", 0, 1, immortal, to));
                assertEquals(new AppProtocol.Rejected("a registration's app ref must be in the registering actor system (" + stranger.address()
                    + "), and that system must be another JVM's"), r);
                assertTrue(dp.stats().isEmpty(), dp.stats().toString());
            } finally {
                stranger.terminate();
            }
        }
    }

    @Test
    void registrationsAreBoundedAndAPendingOneIsEvictedAndItsNameFreed() throws Exception {
        Config c = config(Map.of("calisto.control.max-apps", 2, "calisto.control.pending-timeout", "300ms"));
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            ActorSystem<Void> squatter = peer("squatter", c);
            try {
                BlockingQueue<AppProtocol.Notice> notices = new LinkedBlockingQueue<>();
                ActorRef<AppProtocol.Notice> a = listener(squatter, "squat-a", notices);
                ActorRef<AppProtocol.Notice> b = listener(squatter, "squat-b", notices);
                ActorRef<AppProtocol.Command> mgmt = management(squatter, dp);
                assertTrue(ask(squatter, mgmt, to -> new AppProtocol.Register("squat-a", "dst-port=9", 0, 1, a, to)) instanceof AppProtocol.Registered);
                // one ref, one registration: its death must say which app died
                assertEquals(new AppProtocol.Rejected("that app ref already holds the registration of squat-a"),
                    ask(squatter, mgmt, to -> new AppProtocol.Register("squat-b", "dst-port=9", 0, 1, a, to)));
                assertTrue(ask(squatter, mgmt, to -> new AppProtocol.Register("squat-b", "dst-port=9", 0, 1, b, to)) instanceof AppProtocol.Registered);
                ActorRef<AppProtocol.Notice> c3 = listener(squatter, "squat-c", new LinkedBlockingQueue<>());
                assertEquals(new AppProtocol.Rejected("no room for app squat-c: 2 apps are registered or registering (calisto.control.max-apps)"),
                    ask(squatter, mgmt, to -> new AppProtocol.Register("squat-c", "dst-port=9", 0, 1, c3, to)));

                // neither ever says Ready: both are evicted after the pending timeout, and told so
                String reason = "not ready within 300 ms of its registration (calisto.control.pending-timeout); registration dropped";
                assertEquals(new AppProtocol.Evicted(reason), notices.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(new AppProtocol.Evicted(reason), notices.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
                // their names and their room are free again
                assertTrue(ask(squatter, mgmt, to -> new AppProtocol.Register("squat-a", "dst-port=9", 0, 1, a, to)) instanceof AppProtocol.Registered);
                assertTrue(ask(squatter, mgmt, to -> new AppProtocol.Register("squat-c", "dst-port=9", 0, 1, c3, to)) instanceof AppProtocol.Registered);
            } finally {
                squatter.terminate();
            }
        }
    }

    @Test
    void anAppTheOperatorUnregistersIsToldAndStopsServing() throws Exception {
        Config c = config(Map.of());
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            ActorSystem<Void> appSystem = peer("evicted-app", c);
            try (RemoteApp app = RemoteApp.connect(appSystem, dp.controlSystem().address().toString(), spec("tenant", 7), 0, 1, WAIT)) {
                assertEquals(2, app.runtime().coreActors().size());
                Management.Reply done = RemoteManagementTest.ask(dp, r -> new Management.UnregisterApp("tenant", r));
                assertTrue(done instanceof Management.Done, done.toString());
                assertEquals("unregistered by the dataplane's operator", app.evicted().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!app.runtime().coreActors().isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
                assertEquals(java.util.Set.of(), app.runtime().coreActors(), "the evicted app's core-actors stopped");
                var e = assertThrows(IllegalStateException.class, () -> app.setPolicy("modulo"));
                assertEquals("app tenant was evicted by the dataplane: unregistered by the dataplane's operator", e.getMessage());
            } finally {
                appSystem.terminate();
            }
        }
    }

    @Test
    void anAppIsToldWhenTheDataplaneStops() throws Exception {
        Config c = config(Map.of());
        ActorSystem<Void> appSystem = peer("orphan-app", c);
        try {
            RemoteApp app;
            try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
                app = RemoteApp.connect(appSystem, dp.controlSystem().address().toString(), spec("orphan", 7), 0, 1, WAIT);
            }
            // the dataplane's word, sent as its actors stop; or, if the media driver's shutdown is seen first, the Aeron
            // client's (which by default would have ended this JVM with System.exit)
            String reason = app.evicted().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(reason.equals("the dataplane is stopping") || reason.startsWith("the dataplane's media driver stopped answering ("), reason);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!app.runtime().coreActors().isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(java.util.Set.of(), app.runtime().coreActors(), "the orphaned app's core-actors stopped");
            app.close();
        } finally {
            appSystem.terminate();
        }
    }

    @Test
    void namesFollowTheRuleLocallyAndRemotely() throws Exception {
        Config c = config(Map.of());
        ActorSystem<Void> local = ActorSystem.create(Behaviors.empty(), "local-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            String rule = "[A-Za-z0-9._-]{1,64}";
            var e = assertThrows(IllegalArgumentException.class, () -> dp.register(local, spec("echo\n{\"type\":\"CoreGranted\"}", 7), 0, 1));
            assertEquals("app name 'echo\\u000a{\"type\":\"CoreGranted\"}' is not allowed: a name must match " + rule, e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dp.register(local, spec("a".repeat(65), 7), 0, 1));
            assertEquals("app name '" + "a".repeat(65) + "' is not allowed: a name must match " + rule, e.getMessage());
            assertEquals("A-z.0_9-" + "a".repeat(56), dp.register(local, spec("A-z.0_9-" + "a".repeat(56), 7), 0, 1).name());

            ActorSystem<Void> stranger = peer("namer", c);
            try {
                ActorRef<AppProtocol.Notice> app = listener(stranger, "namer-app", new LinkedBlockingQueue<>());
                assertEquals(new AppProtocol.Rejected("app name 'x y' is not allowed: a name must match " + rule),
                    ask(stranger, management(stranger, dp), to -> new AppProtocol.Register("x y", "dst-port=9", 0, 1, app, to)));
                assertEquals(new AppProtocol.Rejected("app name '' is not allowed: a name must match " + rule),
                    ask(stranger, management(stranger, dp), to -> new AppProtocol.Register("", "dst-port=9", 0, 1, app, to)));
            } finally {
                stranger.terminate();
            }
        } finally {
            local.terminate();
        }
    }

    @Test
    void garbageOverRemotingIsDroppedAndCountedAndTheDataplaneKeepsAnswering() throws Exception {
        Config c = config(Map.of());
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            // the vandal's "Calisto messages" are raw bytes under Kryo's serializer id
            Config vandalConfig = ConfigFactory.parseString("pekko.actor.serializers.calisto-kryo = \"" + RawBytesSerializer.class.getName() + "\"")
                .withFallback(RemoteApp.remoteConfig(c));
            ActorSystem<Void> vandal = ActorSystem.create(Behaviors.empty(), "vandal", vandalConfig);
            ActorSystem<Void> appSystem = peer("bystander", c);
            try (RemoteApp bystander = RemoteApp.connect(appSystem, dp.controlSystem().address().toString(), spec("bystander", 7), 0, 1, WAIT)) {
                // the message: 16 bytes, an int[] ("[I", Kryo id 101) claiming 400,000,000 elements
                Output out = new Output(16);
                out.writeVarInt(101 + 2, true);
                out.writeVarInt(400_000_001, true);
                while (out.position() < 16) out.writeByte(0);
                byte[] bomb = out.toBytes();
                var mgmt = Adapter.toClassic(ActorRefResolver.get(vandal).<Object>resolveActorRef(dp.controlSystem().address() + RemoteApp.MANAGEMENT_PATH));
                KryoSerializer kryo = KryoSerializer.of(dp.controlSystem());
                long before = kryo.undecodable();
                int sent = 2_000;
                for (int i = 0; i < sent; i++) mgmt.tell(new RawBytesSerializer.Crafted(bomb), org.apache.pekko.actor.ActorRef.noSender());
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (kryo.undecodable() < before + sent && System.nanoTime() < deadline) Thread.sleep(5);
                assertEquals(before + sent, kryo.undecodable(), "every bad message is counted once");
                // the endpoint still serves: the management actor answers, the app still acts on itself
                assertTrue(RemoteManagementTest.ask(dp, Management.GetStats::new) instanceof Management.Stats);
                assertEquals("bystander now dispatches with modulo", bystander.setPolicy("modulo"));
                assertEquals(1, bystander.stats().size());
            } finally {
                vandal.terminate();
                appSystem.terminate();
            }
        }
    }
}
