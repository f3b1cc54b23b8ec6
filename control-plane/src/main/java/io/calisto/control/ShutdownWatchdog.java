package io.calisto.control;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Turns a hang while {@code run} or {@code serve} stops into a bounded exit: armed when stopping begins, it names the
 * stage in progress ({@link #stage}); if stopping has not ended within its bound it prints one line naming that
 * stage, removes the embedded media driver's directory and ends the process with {@link #EXIT_CODE}
 * ({@code Runtime.halt}: the JVM's shutdown hooks may be what hangs). Only a CLI process halts
 * ({@link #haltOnExpiry}, set by {@code Main.main}); a command run inside another JVM (tests) gets the line only.
 */
public final class ShutdownWatchdog implements AutoCloseable {
    /** The exit code of a shutdown the watchdog ended (README, "Failure behaviour"). */
    public static final int EXIT_CODE = 3;
    private static volatile boolean halt;
    /** The last armed bound; null while no command of this process armed one (then the JVM's exit is not watched). */
    private static volatile Duration exitBound;

    private final Duration bound;
    private final Runnable cleanup;
    private final PrintStream err;
    private final Thread thread;
    private volatile String stage;
    private volatile boolean disarmed;

    private ShutdownWatchdog(Duration bound, String stage, Runnable cleanup, PrintStream err) {
        this.bound = bound;
        this.stage = stage;
        this.cleanup = cleanup;
        this.err = err;
        long deadline = System.nanoTime() + bound.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("calisto-shutdown-watchdog").start(() -> watch(deadline));
    }

    /**
     * Arms a watchdog: stopping must end (see {@link #close}) within {@code bound}; {@code cleanup} runs before the
     * process ends if it does not (best effort: remove what a restart would otherwise find stale).
     */
    public static ShutdownWatchdog arm(Duration bound, String stage, Runnable cleanup, PrintStream err) {
        exitBound = bound;
        return new ShutdownWatchdog(bound, stage, cleanup, err);
    }

    /** Only a CLI process ends itself on expiry ({@code Main.main} calls this); in-process commands just report. */
    public static void haltOnExpiry(boolean on) { halt = on; }

    /** The stage now in progress, named in the line if the bound passes during it ("the IO thread"). */
    public void stage(String what) { this.stage = what; }

    /** Stopping ended in time: disarm. */
    @Override
    public void close() {
        disarmed = true;
        LockSupport.unpark(thread);
    }

    private void watch(long deadline) {
        for (long left; !disarmed && (left = deadline - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
        if (!disarmed) expire(stage + " did not stop within " + describe(bound) + " of the stop (calisto.run.drain-timeout + calisto.shutdown.timeout)", cleanup, err);
    }

    /**
     * {@code Main.main}, after the command returned: when the command armed a watchdog, the JVM's exit (its shutdown
     * hooks: Pekko's coordinated shutdown of actor systems) is bounded too, by the same bound.
     */
    public static void beforeExit(PrintStream err) {
        if (exitBound == null) return;
        long deadline = System.nanoTime() + exitBound.toNanos();
        Thread.ofPlatform().daemon().name("calisto-exit-watchdog").start(() -> {
            for (long left; (left = deadline - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
            expire("the JVM's shutdown hooks did not finish within " + describe(exitBound), () -> {}, err);
        });
    }

    private static void expire(String what, Runnable cleanup, PrintStream err) {
        err.println("calisto: shutdown watchdog: " + what + "; exiting with code " + EXIT_CODE);
        err.flush();
        if (!halt) return;
        try {
            cleanup.run();
        } catch (RuntimeException e) {
            // ending anyway: a stale directory is removed at the next start
        }
        Runtime.getRuntime().halt(EXIT_CODE);
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? TimeUnit.MILLISECONDS.toSeconds(ms) + "s" : ms + "ms";
    }
}
