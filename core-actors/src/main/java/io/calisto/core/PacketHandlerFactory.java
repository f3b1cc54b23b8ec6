package io.calisto.core;

/** Creates the handler for one granted core; called on that core's actor thread. */
@FunctionalInterface
public interface PacketHandlerFactory {
    PacketHandler create(int core);
}
