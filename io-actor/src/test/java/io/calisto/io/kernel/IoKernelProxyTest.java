package io.calisto.io.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import io.calisto.io.rss.Toeplitz;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The proxy's promises, with the IO loop stepped by hand: run on the IO thread only, and never lost silently. */
class IoKernelProxyTest {
    private final IoKernel kernel = new IoKernel(new SyntheticPort(SyntheticConfig.withOverrides(Map.of("max-packets", 1))),
        new Toeplitz(Toeplitz.MICROSOFT_KEY), 32, 2048, new int[] {0, 1}, 5_000);
    private final IoKernelProxy proxy = new IoKernelProxy(kernel);

    @Test
    void aCommandRunsOnlyWhenTheIoLoopTakesIt() {
        CompletableFuture<Void> on = proxy.setRx(true);
        assertFalse(on.isDone(), "nothing runs on the caller's thread");
        kernel.doWork();
        assertTrue(on.isDone() && !on.isCompletedExceptionally());
    }

    @Test
    void aFullQueueFailsTheFutureAtOnceAndIsCounted() {
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 1024; i++) queued.add(proxy.setRx(false));
        CompletableFuture<Void> refused = proxy.setRx(false);
        assertTrue(refused.isCompletedExceptionally(), "refused, not dropped");
        assertEquals(1, proxy.queueFull());
        for (int i = 0; i < 1024 / 16; i++) kernel.doWork();
        assertTrue(queued.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()), "every queued command ran");
    }

    @Test
    void aCommandThatThrowsFailsItsOwnFutureOnly() {
        CompletableFuture<Void> bad = proxy.setPolicy(null, null);
        CompletableFuture<Void> next = proxy.setRx(false);
        kernel.doWork();
        ExecutionException e = assertThrows(ExecutionException.class, bad::get);
        assertInstanceOf(NullPointerException.class, e.getCause());
        assertTrue(next.isDone() && !next.isCompletedExceptionally(), "the IO loop went on");
    }
}
