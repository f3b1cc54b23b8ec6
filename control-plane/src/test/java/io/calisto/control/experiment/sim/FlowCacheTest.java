package io.calisto.control.experiment.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cache model on cases computed by hand. */
class FlowCacheTest {
    private static String trace(FlowCache c, int bytes, int... keys) {
        StringBuilder sb = new StringBuilder();
        for (int k : keys) sb.append(k).append(c.access(k, bytes) ? "h " : "m ");
        return sb.toString().strip();
    }

    @Test
    void leastRecentlyUsedBlockLeavesFirst() {
        FlowCache c = new FlowCache(3 * 64, 64); // three 64-byte blocks
        // 1 2 3 fill it; 1 hits and becomes most recent; 4 evicts 2 (least recent); 2 misses and evicts 3; 3 misses
        // and evicts 1; 4 is still there; 1 misses
        assertEquals("1m 2m 3m 1h 4m 2m 3m 4h 1m", trace(c, 64, 1, 2, 3, 1, 4, 2, 3, 4, 1));
        assertEquals(3, c.blocks());
        assertEquals(192, c.usedBytes());
    }

    @Test
    void blocksOfDifferentSizesShareTheBytes() {
        FlowCache c = new FlowCache(4096, 64);
        assertEquals("1m 2m", trace(c, 64, 1, 2));
        // a 4 KiB block needs the whole cache: both small blocks go
        assertEquals("9m", trace(c, 4096, 9));
        assertEquals(1, c.blocks());
        assertEquals("1m", trace(c, 64, 1)); // and the big one goes for it
        assertEquals(false, c.contains(9));
    }

    @Test
    void allFlowsFitInOneCoresCacheSoEveryAccessAfterTheFirstHits() {
        FlowCache c = new FlowCache(2 << 20, 64); // 2 MiB = 32,768 blocks of 64 B
        SplittableRandom rnd = new SplittableRandom(7);
        int flows = 32_768, misses = 0;
        for (int i = 0; i < 1_000_000; i++) if (!c.access(rnd.nextInt(flows), 64)) misses++;
        assertEquals(flows, misses, "one cold miss per flow, then hits only");
    }

    @Test
    void uniformAccessOverNTimesTheCapacityHitsOneNth() {
        // LRU under independent uniform references over F flows holding C of them: P(hit) = C / F exactly. Seeded,
        // 2M accesses after a 1M warm-up: the binomial standard deviation is < 0.0004; the tolerance is 0.005.
        for (int n : new int[] {2, 4, 8}) {
            FlowCache c = new FlowCache(2 << 20, 4096); // 512 blocks of 4 KiB
            int flows = n * 512;
            SplittableRandom rnd = new SplittableRandom(11);
            for (int i = 0; i < 1_000_000; i++) c.access(rnd.nextInt(flows), 4096);
            long hits = 0, total = 2_000_000;
            for (int i = 0; i < total; i++) if (c.access(rnd.nextInt(flows), 4096)) hits++;
            assertEquals(1.0 / n, hits / (double) total, 0.005, "N = " + n);
        }
    }
}
