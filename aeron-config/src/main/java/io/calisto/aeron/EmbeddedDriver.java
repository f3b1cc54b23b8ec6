package io.calisto.aeron;

import com.typesafe.config.Config;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.CncFileDescriptor;
import io.calisto.aeron.ffm.Umask;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * The in-process media driver of the default run: its directory lives under /dev/shm and is deleted on start
 * and on close. Multi-JVM set-ups point {@code calisto.aeron.dir} at an external driver instead.
 *
 * <p>Deleting on start is why {@link #launch} first checks the directory ({@link #checkDirectory}): only a new or
 * empty directory, or one a dataplane left (an Aeron {@code cnc.dat} whose driver is gone), is ever deleted.
 *
 * <p>The directory and every file in it are the dataplane user's alone, or also a configured group's
 * ({@link DirectoryAccess}): the driver runs under the umask that gives those modes, for as long as it runs (it
 * creates a log buffer per stream whenever an app subscribes or publishes), and the process's previous umask is put
 * back on {@link #close}.
 */
public final class EmbeddedDriver implements AutoCloseable {
    private final MediaDriver driver;
    private final int previousUmask;

    private EmbeddedDriver(MediaDriver driver, int previousUmask) {
        this.driver = driver;
        this.previousUmask = previousUmask;
    }

    /** A driver whose directory only this user may open. */
    public static EmbeddedDriver launch(String dir) { return launch(dir, DirectoryAccess.PRIVATE); }

    public static EmbeddedDriver launch(String dir, DirectoryAccess access) {
        return launch(dir, access, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(CommonContext.DEFAULT_DRIVER_TIMEOUT_MS));
    }

    /**
     * As {@link #launch(String, DirectoryAccess)}, closing a client after {@code clientLivenessNanos} without a
     * keep-alive ({@code calisto.aeron.client-liveness-timeout}); Aeron's clients take the same figure as the longest
     * their conductor may stall.
     */
    public static EmbeddedDriver launch(String dir, DirectoryAccess access, long clientLivenessNanos) {
        checkDirectory(dir);
        removeStale(new File("/dev/shm"));
        int previous = Umask.set(access.umask());
        MediaDriver driver = null;
        try {
            driver = MediaDriver.launch(context(dir, clientLivenessNanos));
            access.secure(Path.of(dir));
            return new EmbeddedDriver(driver, previous);
        } catch (RuntimeException e) {
            if (driver != null) driver.close();
            Umask.set(previous);
            throw e;
        }
    }

    private static MediaDriver.Context context(String dir, long clientLivenessNanos) {
        return new MediaDriver.Context()
            .clientLivenessTimeoutNs(clientLivenessNanos)
            .timerIntervalNs(Math.min(1_000_000_000L, clientLivenessNanos / 3)) // Aeron checks liveness on this timer: it must be shorter
            // Aeron requires the unblock timeout of a stuck publication to exceed the client liveness timeout
            .publicationUnblockTimeoutNs(Math.max(clientLivenessNanos + 5_000_000_000L, 15_000_000_000L))
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            // IPC needs the conductor only to advance publication limits; one shared thread that backs off is enough
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .termBufferSparseFile(true);
    }

    /**
     * Refuses, with an {@link IllegalArgumentException} of one line, a directory the embedded driver must not delete:
     * a symbolic link; one that belongs to another user; one that exists, is not empty and has no {@code cnc.dat} (not
     * an Aeron directory: a user's directory, never to be deleted); or one whose {@code cnc.dat} belongs to a media
     * driver still alive (another dataplane's, or an external driver: Aeron's {@link CommonContext#isDriverActive}
     * heartbeat check). A missing or empty directory of ours, or one of a dead driver, is fine.
     */
    public static void checkDirectory(String dir) {
        File d = new File(dir);
        // a link another user planted (/dev/shm is everyone's) would send the driver's delete and files elsewhere
        if (Files.isSymbolicLink(d.toPath())) {
            throw new IllegalArgumentException("Aeron directory " + dir + " is a symbolic link: refusing to follow it; name the directory itself");
        }
        if (!d.exists()) return;
        if (!d.isDirectory()) throw new IllegalArgumentException("Aeron directory " + dir + " is a file, not a directory: refusing to delete it");
        int owner = ownerUid(d);
        if (owner != UID) {
            // another user's directory: not ours to delete, and one we could not make private either
            throw new IllegalArgumentException("Aeron directory " + dir + " belongs to another user (uid " + owner + ", we are " + UID
                + "): refusing to use it; name a new or empty directory of ours");
        }
        File cnc = new File(d, CncFileDescriptor.CNC_FILE);
        if (!cnc.exists()) {
            String[] entries = d.list();
            if (entries == null || entries.length > 0) {
                throw new IllegalArgumentException("Aeron directory " + dir + " exists and is not a dataplane's (no " + CncFileDescriptor.CNC_FILE
                    + "): refusing to delete it; name a new or empty directory");
            }
            return;
        }
        boolean active;
        try {
            active = CommonContext.isDriverActive(d, CommonContext.DEFAULT_DRIVER_TIMEOUT_MS, s -> {});
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Aeron directory " + dir + " has a " + CncFileDescriptor.CNC_FILE + " that cannot be read ("
                + e.getClass().getSimpleName() + "): refusing to delete it");
        }
        if (active) throw new IllegalArgumentException("Aeron directory " + dir + " has a live media driver (another dataplane uses it)");
    }

    /**
     * Removes the default directories ({@code calisto-<pid>}) under {@code shm} of dataplanes that died without
     * cleaning up ({@code kill -9}): the pid is gone, a {@code cnc.dat} marks it as a dataplane's, no driver is alive
     * in it, and it is this user's. Anything else (a live pid, possibly reused; no {@code cnc.dat}) is left alone. Returns how many it removed.
     */
    public static int removeStale(File shm) {
        File[] dirs = shm.listFiles((d, name) -> name.matches("calisto-[0-9]{1,18}"));
        if (dirs == null) return 0;
        int removed = 0;
        for (File d : dirs) {
            long pid = Long.parseLong(d.getName().substring("calisto-".length()));
            if (!d.isDirectory() || ProcessHandle.of(pid).isPresent() || !new File(d, CncFileDescriptor.CNC_FILE).isFile()) continue;
            if (Files.isSymbolicLink(d.toPath()) || ownerUid(d) != UID) continue; // another user's: theirs to clean up
            try {
                if (CommonContext.isDriverActive(d, CommonContext.DEFAULT_DRIVER_TIMEOUT_MS, s -> {})) continue;
                org.agrona.IoUtil.delete(d, true);
                removed++;
            } catch (RuntimeException e) {
                // unreadable cnc.dat or a race with another start: leave it
            }
        }
        return removed;
    }

    /** The user this process runs as: the only owner of an Aeron directory it uses or removes. */
    private static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();

    private static int ownerUid(File f) {
        try {
            return (Integer) Files.getAttribute(f.toPath(), "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (java.io.IOException e) {
            return -1; // unreadable: not known to be ours
        }
    }

    /** Directory from {@code calisto.aeron.dir}; empty means a per-process directory under /dev/shm. */
    public static String directory(Config aeron) {
        String dir = aeron.getString("dir");
        return dir.isEmpty() ? "/dev/shm/calisto-" + ProcessHandle.current().pid() : dir;
    }

    public String directoryName() { return driver.aeronDirectoryName(); }

    @Override
    public void close() {
        driver.close();
        Umask.set(previousUmask);
    }
}
