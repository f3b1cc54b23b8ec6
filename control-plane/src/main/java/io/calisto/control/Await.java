package io.calisto.control;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits of the control plane on other threads (the IO thread, core-actors, the event pump), bounded and named. */
final class Await {
    private Await() {}

    /** {@code f}'s value within 10 s; its own RuntimeException, or an IllegalStateException naming {@code what}. */
    static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new IllegalStateException(what + " failed: " + c, c);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " timed out after 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted");
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
