package io.calisto.aeron;

/**
 * Every packet the dataplane does not deliver is counted under exactly one reason.
 * The ordinal is the counter slot, so reasons are only ever appended.
 */
public enum DropReason {
    NOT_IP("not-ip", "frame is not IPv4/IPv6 (ARP, LLDP, ...)"),
    TRUNCATED("truncated", "frame shorter than its headers claim"),
    MALFORMED("malformed", "bad header field (IHL, version, length)"),
    TOO_LARGE("too-large", "frame larger than the Aeron frame limit"),
    NO_APP("no-app", "no registered application matches"),
    NO_CORE("no-core", "the application holds no core"),
    BACKPRESSURE("backpressure", "the core's Aeron stream is full"),
    TX_FULL("tx-full", "the port did not accept a reply"),
    APP_GONE("app-gone", "the application left with packets undelivered"),
    APP_ERROR("app-error", "queued on a core whose core-actor died (its handler threw an Error)"),
    BAD_REPLY("bad-reply", "a reply frame whose header length does not fit the fragment, or not published under its core's session (an earlier holder of the app id)");

    private static final DropReason[] VALUES = values();
    private final String label;
    private final String description;

    DropReason(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() { return label; }

    public String description() { return description; }

    public static int count() { return VALUES.length; }

    public static DropReason of(int ordinal) { return VALUES[ordinal]; }
}
