package io.calisto.io.kernel;

import io.aeron.ExclusivePublication;
import java.util.concurrent.CompletableFuture;

/** Control-plane requests applied by the IO thread between bursts, so dispatch state needs no locks. */
public sealed interface IoCommand {
    CompletableFuture<Void> done();

    record AddApp(AppDispatch app, CompletableFuture<Void> done) implements IoCommand {}

    /** Starts dispatching to {@code core} through {@code rx} (whose subscriber is already connected). */
    record GrantCore(int appId, int core, ExclusivePublication rx, CompletableFuture<Void> done) implements IoCommand {}

    /** Stops dispatching to {@code core}; completes with nothing further published to it. */
    record RevokeCore(int appId, int core, CompletableFuture<Void> done) implements IoCommand {}

    /** Stops reading new packets from the port (the rest of the loop keeps running to drain replies). */
    record StopRx(CompletableFuture<Void> done) implements IoCommand {}
}
