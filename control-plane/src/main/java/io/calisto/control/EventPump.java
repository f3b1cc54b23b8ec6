package io.calisto.control;

import io.calisto.io.kernel.IoKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves scheduler decisions off the IO thread's queue into the control plane, every millisecond, in order, and
 * mirrors the IO counters into the Aeron counters file. (Apps in other JVMs get their core events from the control
 * plane, through {@link RemoteApps}, one of its subscribers.)
 * A plain daemon thread: Pekko timers could do it too, but this keeps the order obvious and the IO side lock-free.
 *
 * <p>One owner, no lock: the pump thread alone drains the kernel's events and alone uses the {@link CounterPublisher}. Another thread that needs a pass done (drainAndStop) asks for one with
 * {@link #flush()}: a future handed over through a concurrent queue, completed by the pump after a whole pass that
 * began after the request. {@link #close()} joins the thread; the join hands ownership to the closing thread, which
 * then makes the last pass itself.
 */
final class EventPump implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventPump.class);
    private final IoKernel kernel;
    private final IntFunction<String> appName;
    private final ActorRef<ControlPlane.Command> controlPlane;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean closed;
    /** Flush requests from other threads; only the pump (or, after the join, the closing thread) completes them. */
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> flushes = new ConcurrentLinkedQueue<>();

    private final CounterPublisher counters;

    EventPump(IoKernel kernel, IntFunction<String> appName, ActorRef<ControlPlane.Command> controlPlane, CounterPublisher counters) {
        this.kernel = kernel;
        this.counters = counters;
        this.appName = appName;
        this.controlPlane = controlPlane;
        this.thread = Thread.ofPlatform().daemon().name("calisto-events").start(this::loop);
    }

    private void loop() {
        List<CompletableFuture<Void>> asked = new ArrayList<>();
        while (running) {
            // requests taken before the pass are answered after it: the pass they get began after they asked
            for (CompletableFuture<Void> f; (f = flushes.poll()) != null; ) asked.add(f);
            pass();
            for (CompletableFuture<Void> f : asked) f.complete(null);
            asked.clear();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One full pass. A failure is logged and the next pass runs: the pump must outlive one bad request. */
    private void pass() {
        try {
            counters.publish();
            kernel.drainEvents(e -> controlPlane.tell(new ControlPlane.Publish(CoreEvent.of(e, appName.apply(e.appId())))));
        } catch (RuntimeException e) {
            LOG.error("event pump pass failed", e);
        }
    }

    /**
     * Asks the pump thread for a full pass; the future completes once one that began after this call is over. Any
     * thread may call it; the caller must not hold anything the pump needs while it waits (it holds nothing here).
     */
    CompletableFuture<Void> flush() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        flushes.add(f);
        if (closed) f.completeExceptionally(new IllegalStateException("the event pump is closed"));
        return f;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            // still owned by the pump thread: touching the counters from here would race it
            LOG.warn("event pump thread did not stop within 15 s; its last pass is skipped");
        } else {
            pass();
            counters.close();
        }
        closed = true;
        boolean passed = !thread.isAlive();
        for (CompletableFuture<Void> f; (f = flushes.poll()) != null; ) {
            if (passed) f.complete(null);
            else f.completeExceptionally(new IllegalStateException("the event pump thread did not stop"));
        }
    }
}
