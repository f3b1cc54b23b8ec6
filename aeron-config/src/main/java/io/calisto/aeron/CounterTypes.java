package io.calisto.aeron;

import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.concurrent.status.CountersReader;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Type ids of the dataplane counters in the Aeron counters file (the cnc file of the Aeron directory), so Aeron's
 * AeronStat and {@code calisto stat} can read them from another process. The ids are this class's alone; the label
 * is for people, the key for programs, so no reader parses labels.
 *
 * <p>Key layout: app id (int, -1 for port counters), core (int, -1 when not per core), drop-reason ordinal (int, -1
 * when not a drop counter), app name length in bytes (int, 0 for port counters), app name in UTF-8 (cut to
 * {@link #MAX_NAME_BYTES} at a character boundary). The label spells the same out: {@code calisto app echo(0) core 1
 * delivered}.
 */
public final class CounterTypes {
    // the port (the IO core), one counter each; DROPS one per reason
    public static final int RX_PACKETS = 5001;
    public static final int DROPS = 5002;
    public static final int TX_PACKETS = 5005;
    public static final int REPLIES = 5007;

    // per app and core: frames published to the core, packets its handler got, packets waiting, the CoreSlot state
    public static final int APP_CORE_DISPATCHED = 5010;
    public static final int APP_CORE_DELIVERED = 5011;
    public static final int APP_CORE_QUEUED = 5012;
    public static final int APP_CORE_STATE = 5013;

    // per app: scheduler decisions, flow table, migrations; APP_DROPS one per reason
    /** Also the app's completeness mark: added after every other counter of the app and closed before them. */
    public static final int APP_GRANTS = 5020;
    public static final int APP_YIELDS = 5021;
    public static final int APP_PREEMPTIONS = 5022;
    public static final int APP_REVOKES = 5023;
    public static final int APP_FLOWS = 5024;
    public static final int APP_EXPIRED = 5025;
    public static final int APP_FALLBACKS = 5026;
    public static final int APP_MIGRATIONS = 5027;
    public static final int APP_DROPS = 5028;

    public static final int APP_OFFSET = 0, CORE_OFFSET = 4, REASON_OFFSET = 8, NAME_LENGTH_OFFSET = 12, NAME_OFFSET = 16;
    /** App names longer than this (UTF-8 bytes) are cut in the key; the key holds at most {@link CountersReader#MAX_KEY_LENGTH}. */
    public static final int MAX_NAME_BYTES = CountersReader.MAX_KEY_LENGTH - NAME_OFFSET;

    private CounterTypes() {}

    /** True for every type id above: a counter of the dataplane, not of Aeron. */
    public static boolean isCalisto(int typeId) {
        return typeId == RX_PACKETS || typeId == DROPS || typeId == TX_PACKETS || typeId == REPLIES
            || (typeId >= APP_CORE_DISPATCHED && typeId <= APP_CORE_STATE) || (typeId >= APP_GRANTS && typeId <= APP_DROPS);
    }

    /** A port counter (no app): {@code reason} is a drop-reason ordinal or -1. */
    public static Counter add(Aeron aeron, int typeId, int reason, String label) {
        return add(aeron, typeId, -1, "", -1, reason, label);
    }

    /**
     * An app's counter, per core ({@code core} >= 0) or not (-1), of one drop reason (its ordinal) or not (-1).
     * Allocates; the publisher calls it when an app appears, not per pass.
     */
    public static Counter add(Aeron aeron, int typeId, int app, String appName, int core, int reason, String label) {
        byte[] name = nameBytes(appName);
        UnsafeBuffer key = new UnsafeBuffer(new byte[NAME_OFFSET + name.length]);
        key.putInt(APP_OFFSET, app);
        key.putInt(CORE_OFFSET, core);
        key.putInt(REASON_OFFSET, reason);
        key.putInt(NAME_LENGTH_OFFSET, name.length);
        key.putBytes(NAME_OFFSET, name);
        // the counters file keeps labels as ASCII: a name outside it shows as '?' there, the key keeps it whole
        byte[] text = label.getBytes(StandardCharsets.US_ASCII);
        int labelLength = Math.min(text.length, CountersReader.MAX_LABEL_LENGTH);
        return aeron.addCounter(typeId, key, 0, key.capacity(), new UnsafeBuffer(text), 0, labelLength);
    }

    /** The label of an app's counter: {@code calisto app NAME(ID) [core N] WHAT}. */
    public static String appLabel(String appName, int app, int core, String what) {
        return "calisto app " + appName + "(" + app + ")" + (core >= 0 ? " core " + core : "") + " " + what;
    }

    public static int keyApp(DirectBuffer key) { return key.getInt(APP_OFFSET); }

    public static int keyCore(DirectBuffer key) { return key.getInt(CORE_OFFSET); }

    public static int keyReason(DirectBuffer key) { return key.getInt(REASON_OFFSET); }

    /** The app name a key carries ("" for port counters, or a key too short to carry one). */
    public static String keyName(DirectBuffer key) {
        int length = key.getInt(NAME_LENGTH_OFFSET);
        if (length <= 0 || length > MAX_NAME_BYTES) return "";
        byte[] b = new byte[length];
        key.getBytes(NAME_OFFSET, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** {@code name} in UTF-8, cut at a character boundary to fit the key. */
    static byte[] nameBytes(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_NAME_BYTES) return b;
        int end = MAX_NAME_BYTES;
        while (end > 0 && (b[end] & 0xC0) == 0x80) end--; // b[end] continues a character: cut before it starts
        return java.util.Arrays.copyOf(b, end);
    }
}
