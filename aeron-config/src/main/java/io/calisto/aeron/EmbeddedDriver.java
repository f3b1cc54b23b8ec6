package io.calisto.aeron;

import com.typesafe.config.Config;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * The in-process media driver of the default run: its directory lives under /dev/shm and is deleted on start
 * and on close. Multi-JVM set-ups point {@code calisto.aeron.dir} at an external driver instead.
 */
public final class EmbeddedDriver implements AutoCloseable {
    private final MediaDriver driver;

    private EmbeddedDriver(MediaDriver driver) { this.driver = driver; }

    public static EmbeddedDriver launch(String dir) {
        MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            // IPC needs the conductor only to advance publication limits; one shared thread that backs off is enough
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .termBufferSparseFile(true);
        return new EmbeddedDriver(MediaDriver.launch(ctx));
    }

    /** Directory from {@code calisto.aeron.dir}; empty means a per-process directory under /dev/shm. */
    public static String directory(Config aeron) {
        String dir = aeron.getString("dir");
        return dir.isEmpty() ? "/dev/shm/calisto-" + ProcessHandle.current().pid() : dir;
    }

    public String directoryName() { return driver.aeronDirectoryName(); }

    @Override
    public void close() { driver.close(); }
}
