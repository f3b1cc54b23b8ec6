package io.calisto.io.parse;

import io.calisto.aeron.DropReason;
import org.agrona.DirectBuffer;

/** Ethernet / 802.1Q / IPv4 / IPv6 / UDP / TCP parser. Never throws on bad input: returns a drop reason. */
public final class PacketParser {
    private PacketParser() {}

    /** Parses {@code frame[0..length)} into {@code out}; returns null when the packet is usable, else why not. */
    public static DropReason parse(DirectBuffer frame, int length, ParsedPacket out) {
        throw new UnsupportedOperationException("TODO parser");
    }
}
