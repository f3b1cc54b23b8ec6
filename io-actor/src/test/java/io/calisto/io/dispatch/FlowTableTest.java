package io.calisto.io.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowTableTest {

    @Test
    void holdsThePapersSevenHundredThousandFlows() {
        FlowTable t = new FlowTable(700_000);
        SplittableRandom r = new SplittableRandom(1);
        Map<Integer, Integer> model = new HashMap<>();
        while (model.size() < 700_000) {
            int k = r.nextInt();
            int v = r.nextInt(64);
            model.put(k, v);
            assertTrue(t.put(k, v));
        }
        assertEquals(700_000, t.size());
        assertTrue(t.isFull());
        assertFalse(t.put(findAbsent(model), 1), "a new key must be refused once the table is full");
        model.forEach((k, v) -> assertEquals(v, t.get(k)));
    }

    private static int findAbsent(Map<Integer, Integer> model) {
        int k = 12345;
        while (model.containsKey(k)) k++;
        return k;
    }

    @Test
    void removeKeepsOtherKeysReachableUnderCollisions() {
        FlowTable t = new FlowTable(1000);
        SplittableRandom r = new SplittableRandom(3);
        Map<Integer, Integer> model = new HashMap<>();
        for (int round = 0; round < 50_000; round++) {
            int k = r.nextInt(2000);
            if (r.nextBoolean()) {
                if (t.size() < 1000 || model.containsKey(k)) {
                    assertTrue(t.put(k, round & 0xffff));
                    model.put(k, round & 0xffff);
                }
            } else {
                Integer expected = model.remove(k);
                assertEquals(expected == null ? FlowTable.MISSING : expected, t.remove(k));
            }
            assertEquals(model.size(), t.size());
        }
        model.forEach((k, v) -> assertEquals(v, t.get(k)));
    }

    @Test
    void zeroAndNegativeHashesAreOrdinaryKeys() {
        FlowTable t = new FlowTable(4);
        assertTrue(t.put(0, 3));
        assertTrue(t.put(-1, 2));
        assertEquals(3, t.get(0));
        assertEquals(2, t.get(-1));
        assertEquals(FlowTable.MISSING, t.get(1));
    }

    @Test
    void migrationTrackerCountsFlowsThatReachedMoreThanOneCore() {
        MigrationTracker m = new MigrationTracker(100);
        m.record(1, 0);
        m.record(1, 0);
        m.record(2, 1);
        m.record(1, 3); // flow 1 moves
        m.record(1, 0); // and moves back: a second move, still one migrated flow
        m.record(2, 1);
        assertEquals(2, m.moves());
        assertEquals(1, m.migratedFlows());
        assertEquals(2, m.flows());
    }
}
