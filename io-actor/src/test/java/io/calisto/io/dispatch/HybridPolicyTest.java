package io.calisto.io.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class HybridPolicyTest {
    static ActiveCores cores(int n) {
        ActiveCores c = new ActiveCores();
        for (int i = 0; i < n; i++) c.add(i);
        return c;
    }

    static HybridPolicy hybrid(ActiveCores c) { return new HybridPolicy(c, 1000, FlowTable.NEVER); }

    /** A hash whose candidate slot is {@code h}'s and whose modulo core differs from {@code h}'s on 4 and 5 cores. */
    static int sameSlot(int h) {
        int slot = (h * 0x9E3779B9) >>> 16;
        for (int x = h + 1; ; x++) if (((x * 0x9E3779B9) >>> 16) == slot && x % 4 != h % 4) return x;
    }

    @Test
    void aNewFlowGoesByModuloAndOnlyItsSecondPacketTakesATableEntry() {
        HybridPolicy p = hybrid(cores(4));
        assertEquals(1, p.coreFor(13, 0)); // 13 % 4
        assertEquals(2, p.coreFor(6, 0));
        assertEquals(0, p.tableSize());
        assertEquals(1, p.coreFor(13, 0));
        assertEquals(1, p.tableSize());
        assertEquals(1, p.boundCore(13));
        assertEquals(FlowTable.MISSING, p.boundCore(6));
        assertEquals(1, p.promoted());
        // a thousand one-packet flows take no entry
        for (int h = 1000; h < 2000; h++) p.coreFor(h, 0);
        assertEquals(1, p.tableSize());
    }

    @Test
    void aFlowStaysWhereItsFirstPacketWentWhenACoreIsGrantedBeforeItsSecond() {
        ActiveCores c = cores(4);
        HybridPolicy p = hybrid(c);
        assertEquals(1, p.coreFor(13, 0));
        assertEquals(1, p.coreFor(21, 0));
        assertEquals(1, p.coreFor(21, 0)); // sticky
        c.add(4);
        p.onCoreAdded(4);
        // 13 % 5 = 3, 21 % 5 = 1: modulo would move 13; its second packet goes where its first did and binds there
        assertEquals(1, p.coreFor(13, 0));
        assertEquals(1, p.boundCore(13));
        assertEquals(1, p.coreFor(21, 0));
        // a flow new after the grant: modulo over 5
        assertEquals(4, p.coreFor(9, 0));
        assertEquals(0, p.rebinds());
    }

    @Test
    void aNewFlowSharingACandidateSlotDoesNotPushOutAFlowWithAPacketQueued() {
        ActiveCores c = cores(4);
        HybridPolicy p = hybrid(c);
        FakeProgress progress = new FakeProgress();
        p.progress(progress);
        int h = 13, other = sameSlot(13);
        assertEquals(1, progress.send(p, h, 0)); // queued on core 1, not completed
        assertNotEquals(1, progress.send(p, other, 0)); // same slot: h is bound where it is, other takes the slot
        assertEquals(1, p.boundCore(h));
        assertEquals(1, p.earlyPromoted());
        c.add(4);
        p.onCoreAdded(4);
        assertEquals(1, progress.send(p, h, 0));

        // the same, but h's packet has completed: it is forgotten (a new flow again), taking no entry
        ActiveCores c2 = cores(4);
        HybridPolicy q = hybrid(c2);
        FakeProgress done = new FakeProgress();
        q.progress(done);
        assertEquals(1, done.send(q, h, 0));
        done.completeAll(1);
        done.send(q, other, 0);
        assertEquals(0, q.tableSize());
        assertEquals(0, q.earlyPromoted());
        c2.add(4);
        q.onCoreAdded(4);
        assertEquals(3, done.send(q, h, 0)); // 13 % 5: nothing of it was queued, so modulo may place it anew
    }

    @Test
    void aFlowWhoseCoreLeftIsReboundByModuloAndCounted() {
        ActiveCores c = cores(4);
        HybridPolicy p = hybrid(c);
        p.coreFor(13, 0);
        p.coreFor(13, 0);
        assertEquals(1, p.boundCore(13));
        c.remove(1); // active [0, 3, 2]
        p.onCoreRemoved(1);
        assertEquals(3, p.coreFor(13, 0)); // 13 % 3 = 1 -> active[1] = 3
        assertEquals(3, p.boundCore(13));
        assertEquals(1, p.rebinds());
        // a candidate whose core left: its second packet binds by modulo too
        assertEquals(2, p.coreFor(8, 0)); // 8 % 3 = 2 -> active[2] = 2
        c.remove(2); // active [0, 3]
        p.onCoreRemoved(2);
        assertEquals(0, p.coreFor(8, 0)); // 8 % 2 = 0
        assertEquals(0, p.boundCore(8));
        assertEquals(2, p.rebinds());
        assertEquals(DispatchPolicy.NO_CORE, hybrid(new ActiveCores()).coreFor(1, 0));
    }

    @Test
    void aFullTableKeepsTheFlowACandidateOnItsCore() {
        ActiveCores c = cores(4);
        HybridPolicy p = new HybridPolicy(c, 1, FlowTable.NEVER);
        p.coreFor(13, 0);
        p.coreFor(13, 0); // takes the only entry
        assertEquals(2, p.coreFor(6, 0));
        c.add(4);
        p.onCoreAdded(4);
        assertEquals(2, p.coreFor(6, 0)); // no room: still where its first packet went (6 % 5 would be 1)
        assertEquals(2, p.coreFor(6, 0));
        assertEquals(2, p.tableFullFallbacks());
    }
}
