package io.calisto.core.remote;

/**
 * What an application in another JVM and the dataplane say to each other on the Aeron control streams
 * ({@code Streams.CONTROL_REQUESTS} / {@code CONTROL_RESPONSES}), serialized with Kryo, registration required.
 */
public sealed interface ControlMessage {
    record RegisterRemote(String name, String match, int guaranteed, int burstable, long pid) implements ControlMessage {}

    /** The app's id, the shared file of its core slots, and the pool cores it must run a core-actor for. */
    record Registered(String name, int appId, String slotsFile, int[] pool) implements ControlMessage {}

    record Rejected(String name, String reason) implements ControlMessage {}

    /** Sent every 100 ms; an app silent for {@code calisto.remote.timeout} is gone and its cores are reclaimed. */
    record Heartbeat(int appId) implements ControlMessage {}

    record Unregister(int appId) implements ControlMessage {}
}
