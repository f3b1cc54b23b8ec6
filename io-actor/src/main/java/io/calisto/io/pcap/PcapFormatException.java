package io.calisto.io.pcap;

/** The file is not a capture we can read; the message is one line meant for the user. */
public final class PcapFormatException extends IllegalArgumentException {
    public PcapFormatException(String message) { super(message); }
}
