package io.calisto.core;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The grant reaction split into its hops, for {@code bench grant}: off unless a benchmark turns it on, and then
 * written once per grant (never per packet) by the woken core-actor. Nanoseconds, each hop on its own:
 * <ul>
 *   <li>{@link #unparkCall}: the IO core's grant → its wake call (unpark / futex wake) returned (IO thread time);</li>
 *   <li>{@link #wake}: the grant → the parked core-actor thread runs again (the OS's wake-up);</li>
 *   <li>{@link #toPoll}: running → its first poll of the stream began (ours: the actor's loop, Pekko's mailbox);</li>
 *   <li>{@link #toHandled}: that poll began → the first packet was handled (Aeron image, polls that found the
 *       packet not yet committed, the handler).</li>
 * </ul>
 * {@link #handled} is the whole (grant → handled), the bench's reaction; {@link #emptyFirstPolls} counts wakes whose
 * first poll found nothing yet.
 */
public final class GrantTrace {
    public final Recorder unparkCall = new Recorder(3);
    public final Recorder wake = new Recorder(3);
    public final Recorder toPoll = new Recorder(3);
    public final Recorder toHandled = new Recorder(3);
    public final Recorder handled = new Recorder(3);
    public final AtomicLong emptyFirstPolls = new AtomicLong();
    private volatile boolean on;

    /** Starts recording (a benchmark's call, before its measured phase). */
    public void enable() { on = true; }

    boolean on() { return on; }

    void record(long grantedAt, long unparkReturnedAt, long runningAt, long pollingAt, long handledAt, boolean firstPollEmpty) {
        unparkCall.recordValue(Math.max(0, unparkReturnedAt - grantedAt));
        wake.recordValue(Math.max(0, runningAt - grantedAt));
        toPoll.recordValue(Math.max(0, pollingAt - runningAt));
        toHandled.recordValue(Math.max(0, handledAt - pollingAt));
        handled.recordValue(Math.max(0, handledAt - grantedAt));
        if (firstPollEmpty) emptyFirstPolls.incrementAndGet();
    }
}
