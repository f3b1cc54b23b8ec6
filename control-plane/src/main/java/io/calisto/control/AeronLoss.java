package io.calisto.control;

import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import java.util.concurrent.CompletableFuture;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentTerminationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices the dataplane's Aeron client closing itself. On a timeout Aeron's client marks every subscription and
 * publication closed and then unmaps their log buffers; a core-actor or the IO thread inside a poll or an offer at
 * that moment read unmapped memory and the JVM died of SIGSEGV (seen under heavy load: a conductor stalled 34.7 s,
 * a core-actor crashed in onFragment). The client's context carries {@code calisto.aeron.close-linger}: the buffers
 * stay mapped that long after the close starts (a batch in progress ends; the next poll sees a closed subscription
 * and touches nothing), and {@link Dataplane#close} sets it to 0 for its own, orderly close. The timeout may reach
 * this error handler or, when another thread was inside a client call, only that caller: the close handler
 * (called for every close, before the linger) is what reports the loss, once, in one logged line.
 */
final class AeronLoss implements ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AeronLoss.class);

    private final CompletableFuture<String> lost;
    private volatile String cause = "";
    private volatile boolean deliberate;

    AeronLoss(CompletableFuture<String> lost) { this.lost = lost; }

    @Override
    public void onError(Throwable t) {
        if (t instanceof AgentTerminationException) return; // the conductor ending after a close: no news
        if (closesTheClient(t)) cause = ": " + t.getClass().getSimpleName() + ": " + t.getMessage();
        else LOG.warn("Aeron: {}", t.toString());
    }

    /** The dataplane closes the client itself: not a loss. */
    void closing() { deliberate = true; }

    /** Aeron's close handler: runs on the conductor thread as the client closes, before the buffers are unmapped. */
    void onClose() {
        if (deliberate) return;
        String line = "Aeron client closed itself (its conductor stalled or the media driver stopped answering)" + cause;
        if (lost.complete(line)) LOG.error("{}; stopping the dataplane", line);
    }

    /** The exceptions after which Aeron's client terminates its conductor and closes every stream. */
    static boolean closesTheClient(Throwable t) {
        return t instanceof ConductorServiceTimeoutException || t instanceof DriverTimeoutException || t instanceof ClientTimeoutException;
    }
}
