package io.calisto.aeron;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import java.io.File;

/**
 * {@code calisto.aeron.embedded-driver = false}: the media driver is another process's, and it must be running before
 * the dataplane starts. Aeron's client would wait its driver timeout (10 s) for a missing one and then throw; this
 * check answers at once, in one line.
 */
public final class ExternalDriver {
    private ExternalDriver() {}

    /**
     * Refuses, with an IllegalArgumentException naming the keys, a directory without {@code cnc.dat} or whose driver's
     * heartbeat is older than {@code timeoutMs} (Aeron's {@link CommonContext#isDriverActive}; a driver that is still
     * starting is waited for up to {@code timeoutMs}).
     */
    public static void check(String dir, long timeoutMs) {
        File d = new File(dir);
        if (!new File(d, CncFileDescriptor.CNC_FILE).isFile()) {
            throw new IllegalArgumentException("calisto.aeron.embedded-driver = false but no media driver runs on " + dir + " (no "
                + CncFileDescriptor.CNC_FILE + "): start one there first, or set calisto.aeron.embedded-driver = true");
        }
        boolean active;
        try {
            active = CommonContext.isDriverActive(d, timeoutMs, s -> {});
        } catch (io.aeron.exceptions.DriverTimeoutException e) {
            active = false; // a cnc.dat never initialised within the timeout: no driver wrote it
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("calisto.aeron.embedded-driver = false but the " + CncFileDescriptor.CNC_FILE + " of " + dir
                + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (!active) {
            throw new IllegalArgumentException("calisto.aeron.embedded-driver = false but the media driver of " + dir + " is not running (no heartbeat in "
                + CncFileDescriptor.CNC_FILE + " within calisto.aeron.driver-timeout = " + timeoutMs + "ms)");
        }
    }
}
