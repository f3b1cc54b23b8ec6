package io.calisto.core.remote;

import io.calisto.core.serial.CalistoMessage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What an application in another JVM and the dataplane say to each other over Pekko remoting (Artery TCP, Kryo:
 * every class here has an id in core-actors' {@code calisto.serialization.kryo-ids}).
 *
 * <ol>
 *   <li>The app sends {@link Register} to the dataplane's management actor ({@code /system/management}); the answer
 *       is {@link Registered} (its id, where its packets and core slots are, and its <em>session</em>) or
 *       {@link Rejected}. From then on the dataplane watches the app's {@link Register#app} ref: when its JVM dies,
 *       Pekko's failure detector reports it and the app is unregistered with no drain.</li>
 *   <li>It maps its core slots, starts a parked core-actor per pool core, and sends {@link Ready} to the session: the
 *       dataplane starts classifying for it once every RX stream is subscribed, then answers {@link Done}.</li>
 *   <li>Every later command goes to the session wrapped in a {@link SessionCommand} with the session's token, and
 *       its {@code replyTo} in the app's own actor system. The token (128 random bits, sent only in the
 *       {@code Registered} answer) is the app's credential: a session's ref can be found by anyone who reaches the
 *       endpoint (a wildcard {@code ActorSelection} answers {@code Identify}), its token cannot. A command without the
 *       token, with another, or answered to another actor system is {@link Rejected}. Each is answered, never
 *       silence.</li>
 *   <li>After {@link SubscribeEvents}, each of the app's own core events is told to its {@link Register#app} ref as a
 *       {@link CoreEvent}, in the order the control plane publishes them, until {@link UnsubscribeEvents},
 *       {@link Unregister} or its death.</li>
 *   <li>When the dataplane drops the app for any reason but the app's own {@link Unregister} or death (the operator
 *       unregistered it, it was not {@link Ready} within {@code calisto.control.pending-timeout}), it tells the
 *       {@link Register#app} ref {@link Evicted}: the app must stop serving ({@link RemoteApp} stops its
 *       core-actors).</li>
 * </ol>
 */
public sealed interface AppProtocol extends CalistoMessage {

    /** From the app; answered on {@link #replyTo()} with one {@link Reply}. */
    sealed interface Command extends AppProtocol {
        ActorRef<Reply> replyTo();
    }

    /**
     * To the management actor. {@code match} is a {@code MatchRule} in its text form; {@code app} receives this app's
     * {@link Notice}s and is watched for as long as the app is registered.
     */
    record Register(String name, String match, int guaranteed, int burstable, ActorRef<Notice> app, ActorRef<Reply> replyTo)
        implements Command {}

    /**
     * How every command but {@link Register} reaches the session: {@code token} is the one of {@link Registered}.
     * {@code command} must not itself be a {@link SessionCommand} or a {@link Register}.
     */
    record SessionCommand(String token, Command command) implements Command {
        @Override
        public ActorRef<Reply> replyTo() { return command == null ? null : command.replyTo(); }
    }

    /** To the session: every core-actor of the app is subscribed to its RX stream; answered once the app is active. */
    record Ready(ActorRef<Reply> replyTo) implements Command {}

    /** Swap this app's dispatch policy ({@code modulo}, {@code affinity}, ...) between two IO bursts. */
    record SetPolicy(String policy, ActorRef<Reply> replyTo) implements Command {}

    record SetCoreLimits(int guaranteed, int burstable, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Take pool core {@code core} out of service or put it back: always {@link Rejected} from an app, since it changes
     * the pool every app shares (the operator's {@code calisto ctl drain}). Kept for its wire id.
     */
    record DrainCore(int core, boolean restore, ActorRef<Reply> replyTo) implements Command {}

    /** Answered with {@link Stats} for every registered app (local or remote). */
    record GetStats(ActorRef<Reply> replyTo) implements Command {}

    record SubscribeEvents(ActorRef<Reply> replyTo) implements Command {}

    /** No event is forwarded after the answer. */
    record UnsubscribeEvents(ActorRef<Reply> replyTo) implements Command {}

    /** Stop classifying for the app, drain what it has queued, free its cores; the session stops after the answer. */
    record Unregister(ActorRef<Reply> replyTo) implements Command {}

    /** The dataplane's answer: {@link Registered}, {@link Done}, {@link Stats} or {@link Rejected}. */
    sealed interface Reply extends AppProtocol {}

    /**
     * The app's id; the dataplane's Aeron directory and IPC channel (its packet streams); the shared file of its core
     * slots; the pool cores it must run a core-actor for; its session, where every further command goes; and the
     * session's token, which every {@link SessionCommand} carries.
     */
    record Registered(int appId, String aeronDir, String channel, String slotsFile, int[] pool, ActorRef<Command> session, String token)
        implements Reply {
        @Override
        public String toString() { return "Registered[appId=" + appId + ", session=" + session + "]"; } // never print the token
    }

    record Done(String text) implements Reply {}

    /** The dataplane refused; {@code reason} is its one-line message (the same text the management actor gives). */
    record Rejected(String reason) implements Reply {}

    record Stats(AppSummary[] apps) implements Reply {}

    /** From the dataplane to the app's {@link Register#app} ref. */
    sealed interface Notice extends AppProtocol {}

    /**
     * A change of this app's core ownership: {@code type} is CoreGranted, CoreYielded, CorePreempted or CoreRevoked
     * (as in {@code --events jsonl}), {@code signal} the congestion signal behind it.
     */
    record CoreEvent(String type, int core, String reason, long tNanos, long signal) implements Notice {}

    /** The dataplane no longer serves this app ({@code reason}, one line): its registration, cores and session are gone. */
    record Evicted(String reason) implements Notice {}
}
