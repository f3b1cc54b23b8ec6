package io.calisto.io.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scheduling decisions cross from the IO thread in order, intact, without allocating on the IO side. */
class SchedEventRingTest {
    @Test
    void eventsComeOutInOrderAndIntact() {
        SchedEventRing ring = new SchedEventRing(4096);
        assertTrue(ring.offer(SchedulerListener.GRANTED, 3, 7, "congested", 123_456_789L, 4096));
        assertTrue(ring.offer(SchedulerListener.PREEMPTED, 1, 2, "for app-b", -1L, 0));
        List<SchedEvent> out = new ArrayList<>();
        assertEquals(2, ring.drain(out::add));
        assertEquals(List.of(new SchedEvent(SchedulerListener.GRANTED, 3, 7, "congested", 123_456_789L, 4096),
            new SchedEvent(SchedulerListener.PREEMPTED, 1, 2, "for app-b", -1L, 0)), out);
        assertEquals(0, ring.drain(out::add));
    }

    @Test
    void aFullRingRefusesInsteadOfOverwriting() {
        SchedEventRing ring = new SchedEventRing(1024);
        int accepted = 0;
        while (ring.offer(SchedulerListener.YIELDED, 0, accepted, "idle", accepted, 0)) accepted++;
        assertTrue(accepted > 5 && accepted < 1024 / 32, "about 1024 / 48 bytes per event fit, got " + accepted);
        assertFalse(ring.offer(SchedulerListener.YIELDED, 0, 0, "idle", 0, 0));
        List<SchedEvent> out = new ArrayList<>();
        assertEquals(accepted, ring.drain(out::add));
        for (int i = 0; i < accepted; i++) assertEquals(i, out.get(i).core(), "the oldest survive, in order");
        assertTrue(ring.offer(SchedulerListener.YIELDED, 0, 0, "idle", 0, 0), "room again after the drain");
    }

    @Test
    void offeringAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        SchedEventRing ring = new SchedEventRing(1 << 20);
        String reason = "congested";
        for (int round = 0; round < 3; round++) { // the last round runs compiled
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) ring.offer(SchedulerListener.GRANTED, 1, i & 7, reason, i, i);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            ring.drain(e -> {});
            if (round == 2) assertTrue(allocated < 1024, allocated + " bytes for 10,000 offers");
        }
    }
}
