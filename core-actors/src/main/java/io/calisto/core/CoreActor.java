package io.calisto.core;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.calisto.aeron.Streams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.concurrent.IdleStrategy;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Shenango's runtime kthread as an actor on its own pinned thread: it polls its core's Aeron stream in bounded
 * batches (a self-sent {@link Poll}, never one message per packet) and runs the app's handler inline. Control
 * messages ({@link Drain}) share the mailbox, so they are seen between batches.
 */
public final class CoreActor extends AbstractBehavior<CoreActor.Command> {

    public sealed interface Command {}

    enum Poll implements Command { INSTANCE }

    /**
     * The IO core no longer dispatches here and had published up to {@code position}: consume everything up to it,
     * then stop. Nothing already queued for this core is lost.
     */
    public record Drain(long position, CompletableFuture<Void> done) implements Command {}

    private final int core;
    private final Subscription rx;
    private final ExclusivePublication tx;
    private final PacketContext packet;
    private final PacketHandler handler;
    private final FragmentHandler fragments;
    private final IdleStrategy idle;
    private final int pollBatch;
    private final AtomicLongArray delivered;
    private final ActorRef<Command> self;
    private long handlerErrors;
    private Drain draining;

    static Behavior<Command> create(Aeron aeron, Streams streams, int appId, int core, PacketHandlerFactory factory,
                                    int pollBatch, IdleStrategy idle, AtomicLongArray delivered, CompletableFuture<Void> ready) {
        return Behaviors.setup(ctx -> {
            try {
                CoreActor actor = new CoreActor(ctx, aeron, streams, appId, core, factory, pollBatch, idle, delivered);
                ready.complete(null);
                ctx.getSelf().tell(Poll.INSTANCE);
                return actor;
            } catch (RuntimeException e) {
                ready.completeExceptionally(e);
                return Behaviors.stopped();
            }
        });
    }

    private CoreActor(ActorContext<Command> ctx, Aeron aeron, Streams streams, int appId, int core, PacketHandlerFactory factory,
                      int pollBatch, IdleStrategy idle, AtomicLongArray delivered) {
        super(ctx);
        this.core = core;
        this.rx = aeron.addSubscription(streams.channel(), Streams.rxStreamId(appId, core));
        this.tx = aeron.addExclusivePublication(streams.channel(), Streams.txStreamId(appId));
        this.packet = new PacketContext(core, tx);
        this.handler = factory.create(core);
        this.fragments = this::onFragment;
        this.idle = idle;
        this.pollBatch = pollBatch;
        this.delivered = delivered;
        this.self = ctx.getSelf();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessageEquals(Poll.INSTANCE, this::onPoll)
            .onMessage(Drain.class, d -> {
                draining = d;
                return this;
            })
            .build();
    }

    private Behavior<Command> onPoll() {
        int n = rx.poll(fragments, pollBatch);
        if (n > 0) delivered.setRelease(core, delivered.getPlain(core) + n);
        if (draining != null && drainedTo(draining.position())) {
            rx.close();
            tx.close();
            draining.done().complete(null);
            return Behaviors.stopped();
        }
        idle.idle(n);
        self.tell(Poll.INSTANCE);
        return this;
    }

    private boolean drainedTo(long position) {
        return rx.imageCount() == 0 ? position <= 0 || !rx.isConnected() : rx.imageAtIndex(0).position() >= position;
    }

    private void onFragment(org.agrona.DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
        packet.wrap(buffer, offset);
        try {
            handler.onPacket(packet);
        } catch (RuntimeException e) {
            // a faulty handler must not take the core down; the packet still counts as delivered to the app
            handlerErrors++;
        }
    }

    int core() { return core; }
}
