package io.calisto.core;

/**
 * Application code that runs inline on a core-actor for every packet the IO core dispatched to that core.
 * One instance per core (see {@link PacketHandlerFactory}), so per-core state needs no synchronisation.
 * Must not block; must not keep {@code ctx} or its buffer after returning.
 */
@FunctionalInterface
public interface PacketHandler {
    void onPacket(PacketContext ctx);
}
