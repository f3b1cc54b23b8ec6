package io.calisto.control;

import io.calisto.io.kernel.IoKernel;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Moves scheduler decisions off the IO thread's queue into the control plane, every millisecond, in order, and
 * mirrors the IO counters into the Aeron counters file, and serves applications in other JVMs (and forwards them
 * their core events).
 * A plain daemon thread: Pekko timers could do it too, but this keeps the order obvious and the IO side lock-free.
 */
final class EventPump implements AutoCloseable {
    private final IoKernel kernel;
    private final IntFunction<String> appName;
    private final ActorRef<ControlPlane.Command> controlPlane;
    private final Thread thread;
    private volatile boolean running = true;

    private final CounterPublisher counters;
    private final RemoteRegistry remote;

    EventPump(IoKernel kernel, IntFunction<String> appName, ActorRef<ControlPlane.Command> controlPlane, CounterPublisher counters,
              RemoteRegistry remote) {
        this.kernel = kernel;
        this.counters = counters;
        this.remote = remote;
        this.appName = appName;
        this.controlPlane = controlPlane;
        this.thread = Thread.ofPlatform().daemon().name("calisto-events").start(this::loop);
    }

    private void loop() {
        while (running) {
            pump();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    synchronized void pump() {
        counters.publish();
        remote.poll(System.nanoTime());
        kernel.drainEvents(e -> {
            CoreEvent event = CoreEvent.of(e, appName.apply(e.appId()));
            controlPlane.tell(new ControlPlane.Publish(event));
            // same thread, same order as the control plane gets them: a remote subscriber sees exactly this sequence
            remote.forward(e.appId(), event);
        });
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pump();
        counters.close();
        remote.close();
    }
}
