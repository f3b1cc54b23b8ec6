package io.calisto.aeron;

import java.util.function.Supplier;

/**
 * Runs a task on a platform thread of its own and waits for its result: for calls that pin or register the calling
 * thread (CPU affinity, DPDK's EAL init, an EAL lcore) and must not do that to the caller. A failure of the task is
 * rethrown on the caller's thread, never lost with the helper thread.
 */
public final class OnThread {
    private OnThread() {}

    public static <T> T call(String threadName, Supplier<T> task) {
        Object[] result = new Object[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = Thread.ofPlatform().name(threadName).start(() -> {
            try {
                result[0] = task.get();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + threadName);
        }
        if (failure[0] != null) throw failure[0];
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }
}
