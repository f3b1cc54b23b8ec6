package io.calisto.io.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BucketsPolicyTest {
    static final long MS = 1_000_000;

    static ActiveCores cores(int n) {
        ActiveCores c = new ActiveCores();
        for (int i = 0; i < n; i++) c.add(i);
        return c;
    }

    /** One hash per bucket, found by search (the bucket function is the policy's). */
    static int[] hashPerBucket(BucketsPolicy p) {
        int[] h = new int[p.buckets()];
        boolean[] found = new boolean[p.buckets()];
        int left = p.buckets();
        for (int x = 1; left > 0; x++) {
            int b = p.bucketOf(x);
            if (!found[b]) {
                found[b] = true;
                h[b] = x;
                left--;
            }
        }
        return h;
    }

    static String owned(BucketsPolicy p, ActiveCores c) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < c.count(); k++) out.add(c.get(k) + "=" + p.owned(c.get(k)));
        return String.join(" ", out);
    }

    @Test
    void bucketsStartSpreadEvenlyAndAFlowAlwaysGetsItsBucketsCore() {
        ActiveCores c = cores(4);
        BucketsPolicy p = new BucketsPolicy(c, 4096, MS);
        assertEquals("0=1024 1=1024 2=1024 3=1024", owned(p, c));
        int[] hashes = new SplittableRandom(1).ints(10_000).toArray();
        for (int h : hashes) {
            int core = p.coreFor(h, 0);
            assertEquals(p.coreOfBucket(p.bucketOf(h)), core);
            assertEquals(core, p.coreFor(h, 0));
        }
        assertEquals(DispatchPolicy.NO_CORE, new BucketsPolicy(new ActiveCores(), 16, MS).coreFor(7, 0));
    }

    @Test
    void aGrantMovesTheMinimumFromTheCoresHoldingTheMost() {
        ActiveCores c = cores(4);
        BucketsPolicy p = new BucketsPolicy(c, 4096, MS);
        int[] before = new int[4096];
        for (int b = 0; b < 4096; b++) before[b] = p.coreOfBucket(b);
        c.add(4);
        p.onCoreAdded(4);
        // balance over 5 cores is 819 or 820 buckets each; the new core needs 819, so 819 is the least that can move
        assertEquals(819, p.bucketsMoved());
        assertEquals(819, p.movedSinceReallocation());
        assertEquals(1, p.reallocations());
        assertEquals(0, p.owed());
        assertEquals("0=820 1=819 2=819 3=819 4=819", owned(p, c));
        for (int b = 0; b < 4096; b++) {
            int now = p.coreOfBucket(b);
            assertTrue(now == before[b] || now == 4, "bucket " + b + " moved between two old cores");
        }
        // 2 -> 3 cores: 1366/1365/1365, so 1365 buckets move, all to the new core
        ActiveCores u = cores(2);
        BucketsPolicy q = new BucketsPolicy(u, 4096, 0);
        u.add(2);
        q.onCoreAdded(2);
        assertEquals(1365, q.bucketsMoved());
        assertEquals("0=1366 1=1365 2=1365", owned(q, u));
    }

    @Test
    void theMoverNeverMovesABucketWithAPacketInFlight() {
        ActiveCores c = cores(2);
        BucketsPolicy p = new BucketsPolicy(c, 16, 0);
        FakeProgress progress = new FakeProgress();
        p.progress(progress);
        int[] h = hashPerBucket(p);
        for (int b = 0; b < 16; b++) progress.send(p, h[b], 0); // one packet queued in every bucket
        int[] before = new int[16];
        for (int b = 0; b < 16; b++) before[b] = p.coreOfBucket(b);
        c.add(2);
        p.onCoreAdded(2);
        // 16 over 3 cores: 6/5/5; the new core is owed 5 buckets but every one is still in flight
        assertEquals(0, p.bucketsMoved());
        assertEquals(5, p.owed());
        p.tick(0);
        assertEquals(0, p.bucketsMoved());
        // core 0 finishes its packets: only its buckets may move now (it owes 2 of its 8; core 1 owes 3)
        progress.completeAll(0);
        p.tick(0);
        assertEquals(2, p.bucketsMoved());
        for (int b = 0; b < 16; b++) if (before[b] == 1) assertEquals(1, p.coreOfBucket(b), "bucket " + b + " of core 1 moved while in flight");
        // one of core 1's buckets completes (the core completed its first packet): it alone may move, at its next packet
        int first = -1;
        for (int b = 0; b < 16 && first < 0; b++) if (before[b] == 1) first = b;
        progress.completed[1] = 1;
        assertEquals(2, progress.send(p, h[first], 0));
        assertEquals(3, p.bucketsMoved());
        p.tick(0);
        assertEquals(3, p.bucketsMoved());
        progress.completeAll(1);
        p.tick(0);
        assertEquals(5, p.bucketsMoved());
        assertEquals(0, p.owed());
        assertEquals("0=6 1=5 2=5", owned(p, c));
    }

    @Test
    void aRevokeMovesOnlyTheRevokedCoresBucketsToTheCoresWithFewest() {
        ActiveCores c = cores(4);
        BucketsPolicy p = new BucketsPolicy(c, 4096, MS);
        FakeProgress progress = new FakeProgress();
        p.progress(progress);
        int[] h = hashPerBucket(p);
        for (int b = 0; b < 4096; b++) progress.send(p, h[b], 0); // in flight everywhere: a revoke cannot wait
        int[] before = new int[4096];
        for (int b = 0; b < 4096; b++) before[b] = p.coreOfBucket(b);
        c.remove(1);
        p.onCoreRemoved(1);
        assertEquals(1024, p.bucketsMoved());
        assertEquals("0=1366 3=1365 2=1365", owned(p, c));
        for (int b = 0; b < 4096; b++) if (before[b] != 1) assertEquals(before[b], p.coreOfBucket(b));
        // down to no core: nothing to place; the next core gets every bucket without a move
        for (int core : new int[] {0, 2, 3}) {
            c.remove(core);
            p.onCoreRemoved(core);
        }
        long moved = p.bucketsMoved();
        assertEquals(DispatchPolicy.NO_CORE, p.coreFor(h[0], 0));
        c.add(3);
        p.onCoreAdded(3);
        assertEquals("3=4096", owned(p, c));
        assertEquals(moved, p.bucketsMoved());
    }

    @Test
    void flowsMovedPerGrantAreAtMostOneOverActiveCoresWhereModuloMovesAllButThat() {
        int flows = 100_000;
        int[] hashes = new SplittableRandom(7).ints(flows).toArray();
        for (int n = 1; n < 10; n++) {
            ActiveCores bc = cores(n), mc = cores(n);
            BucketsPolicy buckets = new BucketsPolicy(bc, 4096, MS);
            ModuloPolicy modulo = new ModuloPolicy(mc);
            int[] b0 = new int[flows], m0 = new int[flows];
            for (int i = 0; i < flows; i++) {
                b0[i] = buckets.coreFor(hashes[i], 0);
                m0[i] = modulo.coreFor(hashes[i], 0);
            }
            bc.add(n);
            buckets.onCoreAdded(n);
            mc.add(n);
            int bucketMoves = 0, moduloMoves = 0;
            for (int i = 0; i < flows; i++) {
                int b1 = buckets.coreFor(hashes[i], 0);
                if (b1 != b0[i]) {
                    bucketMoves++;
                    assertEquals(n, b1, "a flow moved between two old cores");
                }
                if (modulo.coreFor(hashes[i], 0) != m0[i]) moduloMoves++;
            }
            double active = n + 1;
            // buckets hold ~flows/4096 each, so the share moved is the share of buckets moved (<= 1/active) +- noise
            assertTrue(bucketMoves / (double) flows <= 1 / active + 0.005, n + "->" + (n + 1) + " cores: buckets moved " + bucketMoves);
            assertTrue(bucketMoves / (double) flows >= 1 / active - 0.02, n + "->" + (n + 1) + " cores: buckets moved " + bucketMoves);
            assertEquals((active - 1) / active, moduloMoves / (double) flows, 0.01, n + "->" + (n + 1) + " cores: modulo");
        }
    }

    @Test
    void everyMillisecondTheMostLoadedCoreGivesTheLargestDrainedBucketThatHalvesTheGapAtMost() {
        ActiveCores c = cores(2);
        BucketsPolicy p = new BucketsPolicy(c, 8, MS);
        FakeProgress progress = new FakeProgress();
        p.progress(progress);
        int[] h = hashPerBucket(p);
        assertEquals("0 1 0 1 0 1 0 1", cores(p));
        p.tick(0);
        // core 0: buckets 0, 2, 4, 6 carry 400, 300, 200, 100 packets; core 1: one packet in each of its buckets
        int[] load = {400, 1, 300, 1, 200, 1, 100, 1};
        for (int b = 0; b < 8; b++) for (int i = 0; i < load[b]; i++) p.coreFor(h[b], 0);
        p.tick(MS - 1);
        assertEquals(0, p.rebalanceMoves());
        // mean 502, gap 996: bucket 0 (400 <= 498) goes; then the gap is 196 and no bucket of core 0 is <= 98
        p.tick(MS);
        assertEquals(1, p.rebalanceMoves());
        assertEquals("1 1 0 1 0 1 0 1", cores(p));
        assertEquals(0, p.bucketsMoved()); // rebalance moves are not reallocation moves

        // same load, bucket 0's last packet still in flight: the next largest that fits (bucket 2, 300) goes instead
        ActiveCores c2 = cores(2);
        BucketsPolicy q = new BucketsPolicy(c2, 8, MS);
        FakeProgress pr = new FakeProgress();
        q.progress(pr);
        q.tick(0);
        for (int b = 0; b < 8; b++) for (int i = 0; i < load[b]; i++) pr.send(q, h[b], 0);
        pr.send(q, h[0], 0); // core 0's last packet is bucket 0's (401 now), still in a handler
        pr.completed[0] = pr.published[0] - 1;
        q.tick(MS);
        // bucket 2 (300) goes; then the gap is 397 and bucket 6 (100) fits, bucket 4 (200) does not
        assertEquals("0 1 1 1 0 1 1 1", cores(q));
        assertEquals(2, q.rebalanceMoves());
    }

    @Test
    void aBalancedOrQuietAppIsLeftAlone() {
        ActiveCores c = cores(2);
        BucketsPolicy p = new BucketsPolicy(c, 8, MS);
        int[] h = hashPerBucket(p);
        p.tick(0);
        for (int b = 0; b < 8; b++) for (int i = 0; i < 10; i++) p.coreFor(h[b], 0);
        for (int i = 0; i < 20; i++) p.coreFor(h[0], 0); // skewed, but 100 packets are too few to judge
        p.tick(MS);
        assertEquals(0, p.rebalanceMoves());
        for (int b = 0; b < 8; b++) for (int i = 0; i < 100; i++) p.coreFor(h[b], 0); // even: gap 0
        p.tick(2 * MS);
        assertEquals(0, p.rebalanceMoves());
    }

    @Test
    void bucketCountsAreCheckedAndNamedByTheirKey() {
        assertEquals("calisto.dispatch.buckets must be a power of two in 1..1048576, was 1000",
            assertThrows(IllegalArgumentException.class, () -> new BucketsPolicy(cores(1), 1000, MS)).getMessage());
        BucketsPolicy one = new BucketsPolicy(cores(3), 1, MS);
        assertEquals(0, one.bucketOf(0xFFFFFFFF));
        assertNotEquals(-1, one.coreFor(5, 0));
    }

    static String cores(BucketsPolicy p) {
        String[] s = new String[p.buckets()];
        for (int b = 0; b < s.length; b++) s[b] = String.valueOf(p.coreOfBucket(b));
        return String.join(" ", Arrays.asList(s));
    }
}
