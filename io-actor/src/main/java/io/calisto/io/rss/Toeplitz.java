package io.calisto.io.rss;

import io.calisto.io.parse.ParsedPacket;

/** Software Toeplitz RSS hash (what a NIC computes), table-driven: one lookup per input byte. */
public final class Toeplitz {
    public Toeplitz(byte[] key) { throw new UnsupportedOperationException("TODO toeplitz"); }

    /** 4-tuple (addresses + ports) when the packet has ports, else 2-tuple, over IPv4 or IPv6. */
    public int hash(ParsedPacket p) { throw new UnsupportedOperationException("TODO toeplitz"); }
}
