package io.calisto.aeron;

import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Type ids of the dataplane counters in the Aeron counters file, so AeronStat and {@code calisto stat}
 * can read them from another process. Key layout (12 bytes): app id, core, drop-reason ordinal (-1 when n/a).
 */
public final class CounterTypes {
    public static final int RX_PACKETS = 5001;
    public static final int DROPS = 5002;
    public static final int TX_PACKETS = 5005;
    public static final int REPLIES = 5007;
    public static final int KEY_LENGTH = 12;

    private CounterTypes() {}

    public static Counter add(Aeron aeron, int typeId, int app, int core, int reason, String label) {
        UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        key.putInt(0, app);
        key.putInt(4, core);
        key.putInt(8, reason);
        return aeron.addCounter(typeId, key, 0, KEY_LENGTH, new UnsafeBuffer(label.getBytes()), 0, label.length());
    }
}
