package io.calisto.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core-actor in another process parks on its slot's futex and the IO core's grant wakes it. Two separate mappings
 * of the same file stand for the two processes (different addresses, same page: what a shared futex keys on).
 */
class CoreSlotWakeTest {
    @TempDir Path dir;

    @Test
    void aGrantThroughOneMappingWakesAnActorParkedOnAnotherLongBeforeItsTimeout() throws Exception {
        Path file = dir.resolve("slots");
        CoreSlot io = CoreSlot.mapped(file, 2, true)[1];
        CoreSlot actor = CoreSlot.mapped(file, 2, false)[1];
        io.wakeAcrossProcesses();
        CompletableFuture<Long> woke = new CompletableFuture<>();
        Thread parked = Thread.ofPlatform().start(() -> {
            long start = System.nanoTime();
            while (actor.state() == CoreSlot.PARKED && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                actor.awaitGrant(TimeUnit.SECONDS.toNanos(30)); // only a wake-up can end this before 30 s
            }
            woke.complete(System.nanoTime() - start);
        });
        Thread.sleep(200); // let it reach the futex
        io.grant();
        long waited = woke.get(20, TimeUnit.SECONDS); // a lost wake-up would sleep the full 30 s and fail here
        parked.join();
        assertEquals(CoreSlot.GRANTED, actor.state());
        assertTrue(waited < TimeUnit.SECONDS.toNanos(20), "woken after " + waited + " ns");
    }

    @Test
    void awaitingAGrantedSlotReturnsAtOnceAndHeapSlotsCannotBeShared() {
        CoreSlot slot = CoreSlot.mapped(dir.resolve("granted"), 1, true)[0];
        slot.grant();
        long start = System.nanoTime();
        slot.awaitGrant(TimeUnit.SECONDS.toNanos(30)); // the word is not PARKED: the futex must not sleep
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
        var e = assertThrows(IllegalStateException.class, () -> CoreSlot.onHeap().wakeAcrossProcesses());
        assertEquals("a heap slot cannot be shared with another process", e.getMessage());
    }
}
