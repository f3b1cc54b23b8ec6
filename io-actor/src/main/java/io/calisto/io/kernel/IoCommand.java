package io.calisto.io.kernel;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Control-plane requests applied by the IO thread between bursts, so dispatch state needs no locks. */
public sealed interface IoCommand {
    CompletableFuture<Void> done();

    /** Starts classifying packets for {@code app}; the scheduler grants its guaranteed cores. */
    record AddApp(AppDispatch app, CompletableFuture<Void> done) implements IoCommand {}

    /**
     * Starts or stops reading packets from the port. The kernel starts stopped, so nothing arrives before the apps
     * are registered; stopping keeps the rest of the loop running to drain replies.
     */
    record SetRx(boolean on, CompletableFuture<Void> done) implements IoCommand {}

    /** Any other control action (limits, policy swap, drain, snapshots), run on the IO thread. */
    record Call(Consumer<IoKernel> action, CompletableFuture<Void> done) implements IoCommand {}
}
