package io.calisto.core.remote;

import io.aeron.exceptions.ClientTimeoutException;
import io.calisto.aeron.CoreSlot;
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
 * Apart from a loss, {@link #evictedUnheard()}: the dataplane is alive but evicted this app while it could not answer
 * (e.g. stopped with SIGSTOP) and quarantined it; {@link RemoteApp} takes that as the eviction it is.
 * {@link #closing()} marks a close of our own (the app closes, or stops after a loss): not news.
 */
final class DataplaneLoss implements ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DataplaneLoss.class);

    private final String dataplane;
    private final CompletableFuture<String> lost = new CompletableFuture<>();
    private final CompletableFuture<String> evictedUnheard = new CompletableFuture<>();
    private volatile CoreSlot[] slots;
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
        lostUnlessEvicted("the dataplane's media driver stopped answering (the app's Aeron client closed itself" + cause + ")");
    }

    /**
     * Completes once, with one line, when the dataplane evicted this app without being heard: it took the app for dead
     * (e.g. the app's JVM was stopped past the failure detector's pause), counted its queued packets app-gone and
     * quarantined it, so the {@code Evicted} notice it sent is lost. Seen either way: Artery says the dataplane
     * quarantined this system, or a loss is about to be reported (this app's own failure detector, stopped as long,
     * takes the dataplane for dead as it resumes) while the dataplane has marked the app's core slots retired, which
     * it does only when it retires the app. An eviction, not a loss.
     */
    CompletableFuture<String> evictedUnheard() { return evictedUnheard; }

    /** The app's core slots, once mapped: the dataplane marks them retired when it evicts the app. */
    void slots(CoreSlot[] slots) { this.slots = slots; }

    /** Artery told this system that the dataplane quarantined it ({@code ThisActorSystemQuarantinedEvent}). */
    void onQuarantined() { evictedUnheard.complete(evictedLine("quarantined this app's actor system")); }

    /** The watch failure detector took the dataplane's actor system for dead. */
    void onUnreachable() {
        lostUnlessEvicted("the dataplane at " + dataplane + " is unreachable (Pekko's watch failure detector took it for dead)");
    }

    /** A loss, unless the dataplane evicted this app (then the eviction is what this app reports). */
    private void lostUnlessEvicted(String line) {
        CoreSlot[] s = slots;
        boolean retired = false;
        if (s != null) for (CoreSlot slot : s) retired |= slot.retired();
        if (retired) evictedUnheard.complete(evictedLine("retired this app's core slots"));
        if (!evictedUnheard.isDone()) lost.complete(line);
    }

    private String evictedLine(String how) {
        return "the dataplane at " + dataplane + " " + how + ": it took this app for dead and evicted it (its Evicted notice cannot arrive)";
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
