package io.calisto.core.remote;

import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import java.util.concurrent.CompletableFuture;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentTerminationException;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.remote.artery.ThisActorSystemQuarantinedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that the dataplane a {@link RemoteApp} joined is gone (killed, crashed, unreachable), and completes
 * {@link #lost()} once with one line saying how it was noticed. Two witnesses, whichever speaks first:
 * <ul>
 *   <li>Pekko's watch of the app's session actor at the dataplane ({@link Watcher}): a {@code Terminated} with
 *       {@code addressTerminated}, i.e. the watch failure detector took the dataplane's actor system for dead
 *       (the app's {@code pekko.remote.watch-failure-detector}: heartbeat-interval + acceptable-heartbeat-pause, Pekko's
 *       1 s + 10 s, or control-plane's 200 ms + 1 s when that module is on the class path; measured 1.5-1.8 s after a
 *       {@code kill -9} with the latter). Artery quarantines the association then anyway, so nothing would reach
 *       the dataplane again. A session that merely stops (the app unregistered, or was evicted and told so) is no loss.</li>
 *   <li>The app's Aeron client, which closes itself when the media driver's heartbeat is older than
 *       {@code calisto.aeron.driver-timeout}, or when its own conductor stalled past the driver's liveness timeout.
 *       As on the dataplane's side ({@code AeronLoss} in control-plane) the close handler reports it, since the
 *       timeout may reach the error handler or only the thread that was inside a client call.</li>
 * </ul>
 * Apart from a loss, {@link #quarantined()}: the dataplane is alive but quarantined this app (it evicted it while
 * it could not answer, e.g. stopped with SIGSTOP); {@link RemoteApp} takes that as the eviction it is.
 * {@link #closing()} marks a close of our own (the app closes, or stops after a loss): not news.
 */
final class DataplaneLoss implements ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DataplaneLoss.class);

    private final String dataplane;
    private final CompletableFuture<String> lost = new CompletableFuture<>();
    private final CompletableFuture<String> quarantined = new CompletableFuture<>();
    private volatile String cause = "";
    private volatile boolean deliberate;

    DataplaneLoss(String dataplane) { this.dataplane = dataplane; }

    /** Completes once, with the line that says how the loss was noticed. */
    CompletableFuture<String> lost() { return lost; }

    /** This app closes its Aeron client itself from now on: the close handler reports nothing. */
    void closing() { deliberate = true; }

    /** Aeron's error handler (its default would end the JVM with System.exit when the driver goes away). */
    @Override
    public void onError(Throwable t) {
        if (t instanceof AgentTerminationException) return; // the conductor ending after a close: no news
        if (closesTheClient(t)) cause = ": " + t.getClass().getSimpleName() + ": " + t.getMessage();
        else LOG.warn("Aeron client error: {}", t.toString());
    }

    /** Aeron's close handler: on the conductor thread as the client closes, before its buffers are unmapped. */
    void onAeronClose() {
        if (deliberate) return;
        lost.complete("the dataplane's media driver stopped answering (the app's Aeron client closed itself" + cause + ")");
    }

    /**
     * Completes once, with one line, when the dataplane quarantined this app's actor system: it took the app for dead
     * (e.g. the app's JVM was stopped past the failure detector's pause), evicted it and counted its queued packets
     * app-gone, and will never hear it again, so the {@code Evicted} notice it sent is lost. An eviction, not a loss.
     */
    CompletableFuture<String> quarantined() { return quarantined; }

    /** Artery told this system that the dataplane quarantined it ({@code ThisActorSystemQuarantinedEvent}). */
    void onQuarantined() {
        quarantined.complete("the dataplane at " + dataplane + " quarantined this app's actor system (it took the app for dead and"
            + " evicted it; its Evicted notice cannot arrive)");
    }

    /** The watch failure detector took the dataplane's actor system for dead. */
    void onUnreachable() {
        lost.complete("the dataplane at " + dataplane + " is unreachable (Pekko's watch failure detector took it for dead)");
    }

    static boolean closesTheClient(Throwable t) {
        return t instanceof DriverTimeoutException || t instanceof ConductorServiceTimeoutException || t instanceof ClientTimeoutException;
    }

    /** A watcher of {@code session} (the app's session actor at the dataplane) that reports to {@code loss}. */
    static Props watcher(ActorRef session, DataplaneLoss loss) {
        return Props.create(Watcher.class, () -> new Watcher(session, loss));
    }

    /**
     * Classic, not typed: only the classic {@link Terminated} says whether the watched actor's whole actor system is
     * gone ({@link Terminated#addressTerminated()}) rather than the actor stopped (an unregistration, an eviction).
     */
    static final class Watcher extends AbstractActor {
        private final ActorRef session;
        private final DataplaneLoss loss;

        Watcher(ActorRef session, DataplaneLoss loss) {
            this.session = session;
            this.loss = loss;
        }

        @Override
        public void preStart() {
            getContext().watch(session);
            // what Artery publishes when a Quarantined control message from the other side names this system
            getContext().getSystem().getEventStream().subscribe(getSelf(), ThisActorSystemQuarantinedEvent.class);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                .match(ThisActorSystemQuarantinedEvent.class, q -> {
                    if (q.remoteAddress().address().equals(session.path().address())) loss.onQuarantined();
                })
                .match(Terminated.class, t -> {
                    if (t.addressTerminated()) loss.onUnreachable();
                    getContext().stop(getSelf());
                })
                .build();
        }
    }
}
