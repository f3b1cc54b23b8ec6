package io.calisto.control;

import io.aeron.Aeron;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import java.util.concurrent.CompletableFuture;
import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's Aeron error handler. On a timeout Aeron's client closes itself: its conductor marks every
 * subscription and publication closed, then (on its next duty cycle) unmaps their log buffers. A core-actor or the
 * IO thread that is inside a poll or an offer at that moment would read unmapped memory: the JVM dies of SIGSEGV
 * (seen under heavy load: a conductor stalled 34.7 s, a core-actor crashed in onFragment). This handler runs on the
 * conductor thread after the streams are marked closed and before the unmap, so it makes the conductor keep the
 * buffers mapped for {@code calisto.aeron.close-linger} (plenty for a batch in progress to end; the next poll sees a
 * closed subscription and touches nothing) and tells the owner, once, with one logged line.
 */
final class AeronLoss implements ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AeronLoss.class);

    private final Aeron.Context ctx;
    private final long lingerNanos;
    private final CompletableFuture<String> lost;

    AeronLoss(Aeron.Context ctx, long lingerNanos, CompletableFuture<String> lost) {
        this.ctx = ctx;
        this.lingerNanos = lingerNanos;
        this.lost = lost;
    }

    @Override
    public void onError(Throwable t) {
        if (t instanceof org.agrona.concurrent.AgentTerminationException) return; // the conductor ending after the close: no news
        if (closesTheClient(t)) {
            ctx.closeLingerDurationNs(lingerNanos); // read by the conductor when it closes, right after this returns
            String line = "Aeron client closed itself: " + t.getClass().getSimpleName() + ": " + t.getMessage();
            if (lost.complete(line)) LOG.error("{}; stopping the dataplane", line);
        } else {
            LOG.warn("Aeron: {}", t.toString());
        }
    }

    /** The exceptions after which Aeron's client terminates its conductor and closes every stream. */
    static boolean closesTheClient(Throwable t) {
        return t instanceof ConductorServiceTimeoutException || t instanceof DriverTimeoutException || t instanceof ClientTimeoutException;
    }
}
