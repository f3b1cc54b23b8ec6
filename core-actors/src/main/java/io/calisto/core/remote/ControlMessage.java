package io.calisto.core.remote;

/**
 * What an application in another JVM and the dataplane say to each other on the Aeron control streams
 * ({@code Streams.CONTROL_REQUESTS} / {@code CONTROL_RESPONSES}), serialized with Kryo, registration required.
 * Every app reads the one shared response stream, so every answer and event names the app it is for.
 */
public sealed interface ControlMessage {
    record RegisterRemote(String name, String match, int guaranteed, int burstable, long pid) implements ControlMessage {}

    /** The app's id, the shared file of its core slots, and the pool cores it must run a core-actor for. */
    record Registered(String name, int appId, String slotsFile, int[] pool) implements ControlMessage {}

    record RegistrationRejected(String name, String reason) implements ControlMessage {}

    /** Sent every 100 ms; an app silent for {@code calisto.remote.timeout} is gone and its cores are reclaimed. */
    record Heartbeat(int appId) implements ControlMessage {}

    record Unregister(int appId) implements ControlMessage {}

    /** A management command of a registered app about itself; answered by one {@link Reply} with the same correlation. */
    sealed interface Request extends ControlMessage {
        long correlation();

        int appId();
    }

    record SetPolicy(long correlation, int appId, String policy) implements Request {}

    record SetCoreLimits(long correlation, int appId, int guaranteed, int burstable) implements Request {}

    /** Take a pool core out of service ({@code restore = false}) or put it back. */
    record DrainCore(long correlation, int appId, int core, boolean restore) implements Request {}

    record GetStats(long correlation, int appId) implements Request {}

    /** From the answer on, the app gets a {@link RemoteCoreEvent} for each of its own core events, in order. */
    record SubscribeEvents(long correlation, int appId) implements Request {}

    record UnsubscribeEvents(long correlation, int appId) implements Request {}

    /** The answer to a {@link Request}: {@link Done}, {@link Stats} or {@link Rejected}, never silence. */
    sealed interface Reply extends ControlMessage {
        long correlation();

        int appId();
    }

    record Done(long correlation, int appId, String text) implements Reply {}

    /** The dataplane refused the request; {@code reason} is its one-line message. */
    record Rejected(long correlation, int appId, String reason) implements Reply {}

    /** Per registered app (local or remote), as the management actor's {@code GetStats}. */
    record Stats(long correlation, int appId, AppSummary[] apps) implements Reply {}

    /**
     * A change of core ownership of app {@code appId}: {@code type} is CoreGranted, CoreYielded, CorePreempted or
     * CoreRevoked, as in {@code --events jsonl}; {@code signal} is the congestion signal behind it.
     */
    record RemoteCoreEvent(int appId, String type, int core, String reason, long tNanos, long signal) implements ControlMessage {}
}
