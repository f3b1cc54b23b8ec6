package io.calisto.core;

import io.calisto.aeron.MatchRule;

/** What an application declares when it registers: its name, which packets are its own, and its handlers. */
public record AppSpec(String name, MatchRule match, PacketHandlerFactory handlers) {
    public AppSpec {
        AppNames.check(name);
        if (match == null || handlers == null) throw new IllegalArgumentException("app " + name + " needs a match rule and a handler factory");
    }
}
