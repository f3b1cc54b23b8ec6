package io.calisto.io.ffm;

/** A DPDK set-up failure the user can act on; the message is one line. */
public final class DpdkException extends IllegalArgumentException {
    public DpdkException(String message) { super(message); }
}
