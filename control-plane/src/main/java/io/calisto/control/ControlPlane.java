package io.calisto.control;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The control-plane guardian: it records every core event in order and fans it out to subscribers.
 * (Registration, limits and policy swaps arrive here with the management protocol.)
 */
public final class ControlPlane {
    public sealed interface Command {}

    public record Publish(CoreEvent event) implements Command {}

    public record Subscribe(ActorRef<CoreEvent> subscriber) implements Command {}

    public record Unsubscribe(ActorRef<CoreEvent> subscriber) implements Command {}

    public record GetEvents(ActorRef<List<CoreEvent>> replyTo) implements Command {}

    private ControlPlane() {}

    public static Behavior<Command> create() {
        return running(new ArrayList<>(), new ArrayList<>());
    }

    private static Behavior<Command> running(List<CoreEvent> events, List<ActorRef<CoreEvent>> subscribers) {
        return Behaviors.receive(Command.class)
            .onMessage(Publish.class, p -> {
                events.add(p.event());
                subscribers.forEach(s -> s.tell(p.event()));
                return Behaviors.same();
            })
            .onMessage(Subscribe.class, s -> {
                subscribers.add(s.subscriber());
                return Behaviors.same();
            })
            .onMessage(Unsubscribe.class, s -> {
                subscribers.remove(s.subscriber());
                return Behaviors.same();
            })
            .onMessage(GetEvents.class, g -> {
                g.replyTo().tell(List.copyOf(events));
                return Behaviors.same();
            })
            .build();
    }
}
