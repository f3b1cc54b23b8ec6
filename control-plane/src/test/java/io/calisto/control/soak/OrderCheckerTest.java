package io.calisto.control.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The checker is itself proven: faults fed to it by hand are counted, and a clean sequence counts nothing. */
class OrderCheckerTest {
    @Test
    void interleavedFlowsInOrderCountNothing() {
        OrderChecker c = new OrderChecker(100);
        for (long seq = 0; seq < 1000; seq++) c.exit(c.enter((int) (seq % 7) * 0x9E3779B9, seq));
        assertEquals(1000, c.handled());
        assertEquals(0, c.reordered());
        assertEquals(0, c.overlapped());
        assertEquals(0, c.unchecked());
    }

    @Test
    void aPacketOlderThanItsFlowsLastHandledOneIsReordered() {
        OrderChecker c = new OrderChecker(10);
        c.exit(c.enter(42, 5));
        c.exit(c.enter(42, 3)); // the fault: seq 3 handled after seq 5 of the same flow
        c.exit(c.enter(42, 6)); // counted once, not again for every later packet
        c.exit(c.enter(43, 1)); // another flow's lower seq is no reorder
        assertEquals(1, c.reordered());
        assertEquals(0, c.overlapped());
    }

    @Test
    void twoPacketsOfOneFlowInServiceAtOnceOverlap() {
        OrderChecker c = new OrderChecker(10);
        int first = c.enter(-7, 1); // RSS hashes are unsigned: a negative int is a hash like any other
        int second = c.enter(-7, 2); // the fault: seq 2 starts before seq 1 finished
        assertEquals(OrderChecker.NO_TOKEN, second);
        c.exit(second);              // does not clear the flag the first packet holds
        int third = c.enter(-7, 3);
        assertEquals(OrderChecker.NO_TOKEN, third, "the first packet is still in service");
        c.exit(first);
        c.exit(c.enter(-7, 4));      // one at a time again: no overlap
        int zero = c.enter(0, 1), other = c.enter(1, 1); // hash 0 is a flow too; distinct flows never overlap
        c.exit(zero);
        c.exit(other);
        assertEquals(2, c.overlapped());
        assertEquals(0, c.reordered());
    }

    @Test
    void anOverlapAcrossTwoThreadsIsSeen() throws Exception {
        OrderChecker c = new OrderChecker(10);
        CountDownLatch inService = new CountDownLatch(1), release = new CountDownLatch(1);
        Thread core = Thread.ofPlatform().start(() -> {
            int token = c.enter(99, 1);
            inService.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.exit(token);
        });
        assertTrue(inService.await(5, TimeUnit.SECONDS));
        c.exit(c.enter(99, 2)); // another core-actor handles the flow's next packet meanwhile
        release.countDown();
        core.join();
        assertEquals(1, c.overlapped());
    }

    @Test
    void moreDistinctHashesThanTheTableHoldsAreCountedUnchecked() {
        OrderChecker c = new OrderChecker(1); // room for 4 hashes
        for (int h = 0; h < 5; h++) c.exit(c.enter(h, h));
        assertEquals(1, c.unchecked());
    }

    @Test
    void seqOfReadsTheGeneratorsSequenceNumberForUdpAndTcpOverIpv4AndIpv6() {
        SyntheticPort port = new SyntheticPort(SyntheticConfig.withOverrides(Map.of("flows", 1000, "rate", 0, "tcp-fraction", 0.5, "ipv6-fraction", 0.5)));
        RxBatch batch = new RxBatch(256);
        int n = port.receive(batch, 0);
        assertEquals(256, n);
        for (int i = 0; i < n; i++) assertEquals(i, OrderChecker.seqOf(batch.frame(i), 0, batch.length(i)), "frame " + i);
    }

    @Test
    void phasedLoadsAlternateAndAreShiftedPerApp() {
        PhasedLoad a = PhasedLoad.of(0, 2, 0, 100, 60, 5), b = PhasedLoad.of(1, 2, 0, 100, 60, 5);
        assertEquals(60, a.serviceNanos(10));
        assertEquals(5, a.serviceNanos(60));
        assertEquals(60, a.serviceNanos(110));
        assertEquals(5, b.serviceNanos(10), "app 1 is half a period out of phase");
        assertEquals(60, b.serviceNanos(60));
    }
}
