package io.calisto.control;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The control-plane guardian: it fans every core event out to subscribers, in order, and keeps the last
 * {@code historySize} events for {@link GetEvents} (bounded: a long run with frequent grants must not grow the heap).
 * A subscriber that stops is dropped (watched), so dead subscribers cost nothing.
 */
public final class ControlPlane {
    public sealed interface Command {}

    public record Publish(CoreEvent event) implements Command {}

    /** Subscribing twice is the same as once: every event reaches a subscriber exactly once. */
    public record Subscribe(ActorRef<CoreEvent> subscriber) implements Command {}

    public record Unsubscribe(ActorRef<CoreEvent> subscriber) implements Command {}

    /** The retained history, oldest first, and how many older events it no longer holds. */
    public record GetEvents(ActorRef<History> replyTo) implements Command {}

    public record History(List<CoreEvent> events, long forgotten) {}

    private final ActorContext<Command> ctx;
    private final int historySize;
    private final ArrayDeque<CoreEvent> history = new ArrayDeque<>();
    private final List<ActorRef<CoreEvent>> subscribers = new ArrayList<>();
    private long forgotten;

    private ControlPlane(ActorContext<Command> ctx, int historySize) {
        this.ctx = ctx;
        this.historySize = historySize;
    }

    public static Behavior<Command> create(int historySize) {
        if (historySize < 0) throw new IllegalArgumentException("calisto.control.event-history must be >= 0, was " + historySize);
        return Behaviors.setup(ctx -> new ControlPlane(ctx, historySize).running());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
            .onMessage(Publish.class, p -> {
                remember(p.event());
                for (ActorRef<CoreEvent> s : subscribers) s.tell(p.event());
                return Behaviors.same();
            })
            .onMessage(Subscribe.class, s -> {
                if (!subscribers.contains(s.subscriber())) {
                    subscribers.add(s.subscriber());
                    ctx.watchWith(s.subscriber(), new Unsubscribe(s.subscriber()));
                }
                return Behaviors.same();
            })
            .onMessage(Unsubscribe.class, s -> {
                if (subscribers.remove(s.subscriber())) ctx.unwatch(s.subscriber());
                return Behaviors.same();
            })
            .onMessage(GetEvents.class, g -> {
                g.replyTo().tell(new History(List.copyOf(history), forgotten));
                return Behaviors.same();
            })
            .build();
    }

    private void remember(CoreEvent e) {
        if (historySize == 0) {
            forgotten++;
            return;
        }
        if (history.size() == historySize) {
            history.pollFirst();
            forgotten++;
        }
        history.addLast(e);
    }
}
