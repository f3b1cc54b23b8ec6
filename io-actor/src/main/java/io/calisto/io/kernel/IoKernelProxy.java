package io.calisto.io.kernel;

import io.calisto.io.dispatch.DispatchPolicy;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Every command another thread may give the IO thread, as a named method (Aeron's {@code ReceiverProxy}). Each offers
 * a task to the {@link IoKernel}'s bounded command queue and returns a future the IO thread completes once the task
 * ran between two bursts, so dispatch state needs no lock. The task is one call of the kernel's matching {@code on*}
 * method: this class is the list of what runs on the IO thread for someone else.
 *
 * <p>A full queue fails the future at once and is counted ({@link #queueFull()}): a command is never lost silently.
 * A command that throws on the IO thread fails its future with that exception. Any thread may call these methods; a
 * caller that waits on the future must not hold anything the IO thread needs (it needs nothing of the control plane).
 */
public final class IoKernelProxy {
    private final IoKernel kernel;
    private final ManyToOneConcurrentArrayQueue<Runnable> queue;
    private final AtomicLong queueFull = new AtomicLong();

    public IoKernelProxy(IoKernel kernel) {
        this.kernel = kernel;
        this.queue = kernel.commands;
    }

    /** Starts classifying packets for {@code app} (its RX streams and slots attached); the scheduler grants its guarantee. */
    public CompletableFuture<Void> addApp(AppDispatch app) { return run(() -> kernel.onAddApp(app)); }

    /** Starts or stops reading the port; the rest of the loop (replies, scheduler) keeps running. */
    public CompletableFuture<Void> setRx(boolean on) { return run(() -> kernel.onSetRx(on)); }

    /** Swaps {@code app}'s dispatch policy for {@code next} (built off the IO thread) between two bursts. */
    public CompletableFuture<Void> setPolicy(AppDispatch app, DispatchPolicy next) { return run(() -> kernel.onSetPolicy(app, next)); }

    /** New core limits for {@code app}; the scheduler grants or takes back cores to meet them. */
    public CompletableFuture<Void> setLimits(AppDispatch app, int guaranteed, int burstable) {
        return run(() -> kernel.onSetLimits(app, guaranteed, burstable));
    }

    /** Takes {@code core} out of service: its owner's packets there are drained before it is revoked. */
    public CompletableFuture<Void> drainCore(int core) { return run(() -> kernel.onDrainCore(core)); }

    /** Puts a drained {@code core} back into the pool. */
    public CompletableFuture<Void> restoreCore(int core) { return run(() -> kernel.onRestoreCore(core)); }

    /**
     * Stops classifying packets for {@code app} (they count as no-app from then on); the future holds the stream
     * position last published to each core, what the app's core-actors must complete to have drained.
     */
    public CompletableFuture<long[]> stopClassifying(AppDispatch app) { return call(() -> kernel.onStopClassifying(app)); }

    /** Forgets {@code app}: its cores go back to the scheduler. Before its core-actors stop, so none is read stopped. */
    public CompletableFuture<Void> retire(AppDispatch app) { return run(() -> kernel.onRetire(app)); }

    /** Counts {@code undelivered} packets of a retired {@code app} as app-gone. */
    public CompletableFuture<Void> countGone(AppDispatch app, long undelivered) { return run(() -> kernel.onCountGone(app, undelivered)); }

    /** Every served app with the stream position last published to each of its cores, in registration order. */
    public CompletableFuture<Map<AppDispatch, long[]>> snapshotPublished() { return call(kernel::onSnapshotPublished); }

    /** Commands refused because the queue was full (should stay 0). */
    public long queueFull() { return queueFull.get(); }

    private CompletableFuture<Void> run(Runnable onIoThread) {
        return call(() -> {
            onIoThread.run();
            return null;
        });
    }

    private <T> CompletableFuture<T> call(Supplier<T> onIoThread) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                done.complete(onIoThread.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        if (!queue.offer(task)) {
            queueFull.incrementAndGet();
            done.completeExceptionally(new IllegalStateException("the IO thread's command queue is full (" + queue.capacity() + " waiting)"));
        }
        return done;
    }
}
