package io.calisto.io.dispatch;

/**
 * How far one application's cores have got, as a policy that moves flows on its own needs it: the stream position
 * last published to a core (IO thread's own array, a plain read) and the position its core-actor has completed (the
 * handler returned; a volatile read of the core slot). Called during {@link DispatchPolicy#coreFor}, the published
 * position is the one <em>before</em> the packet being placed, so a packet that went to {@code core} when it stood at
 * {@code p} has completed once {@code completed(core) > p}. Wired by the scheduler ({@code CoreScheduler.wire}); a
 * policy without one (benches, the flows command) treats every packet as completed.
 */
public interface CoreProgress {
    /** Stream position after the last frame published to {@code core} (IO thread). */
    long published(int core);

    /** Stream position after the last frame whose handler returned on {@code core}. */
    long completed(int core);

    /**
     * True while a packet that went to {@code core} when {@link #published} stood at {@code before} may still be
     * queued or in a handler there: nothing after {@code before} has completed, and the core has not completed all
     * it was given (a packet that was dropped after placement never holds a flow back).
     */
    default boolean inFlight(int core, long before) {
        if (before < 0) return false;
        long done = completed(core);
        return done <= before && done < published(core);
    }
}
