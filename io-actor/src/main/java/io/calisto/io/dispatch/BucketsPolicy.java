package io.calisto.io.dispatch;

import io.calisto.aeron.Streams;
import java.util.Arrays;

/**
 * RSS++-like dispatch ({@code buckets}): an app's RSS hash picks one of B buckets (Fibonacci hashing of the hash, as
 * the per-flow order does), and a table bucket → core picks the core, so a core change moves whole buckets, never
 * reshuffles every flow as {@code hash % n} does. Rules (docs/decisions.md 26):
 * <ul>
 *   <li><b>Grant.</b> The new core gets its share, and only that: the balanced target is ⌊B/n⌋ or ⌈B/n⌉ buckets per
 *       core, the larger targets going to the cores that hold the most buckets, and only the buckets above a core's
 *       target move (the minimum number that reaches balance), taken from the cores holding the most.</li>
 *   <li><b>Only drained buckets move.</b> A bucket moves only once its old core has completed the bucket's last
 *       packet ({@link CoreProgress}: the core's completed position passed the position the packet was published
 *       at). A bucket still in flight stays where it is and the mover takes another bucket of the same core, or
 *       tries again at the bucket's next packet or the next {@link #tick}.</li>
 *   <li><b>Revoke.</b> The revoked core's buckets have nowhere else to go: each goes to the held core with the
 *       fewest buckets at once, in flight or not (the frame's per-flow order barrier keeps their packets in order,
 *       as for every policy). Only those buckets move.</li>
 *   <li><b>Load.</b> Every {@code rebalanceNanos} (about 1 ms) per-bucket packet counters (one increment per packet,
 *       halved after each round) give each core's measured load; while the most loaded core carries more than
 *       1/8 of the mean above the least loaded, up to {@link #REBALANCE_MOVES} drained buckets move from the most to
 *       the least loaded core, each the largest that is at most half the gap.</li>
 * </ul>
 * IO thread only. Per packet: one bucket lookup, one counter increment and one position store; no allocation.
 */
public final class BucketsPolicy implements DispatchPolicy {
    public static final int DEFAULT_BUCKETS = 4096;
    public static final int MAX_BUCKETS = 1 << 20;
    public static final long DEFAULT_REBALANCE_NANOS = 1_000_000;
    /** Most buckets one load rebalance moves. */
    public static final int REBALANCE_MOVES = 4;
    /** Buckets {@link #tick} examines per call for moves a grant still owes. */
    public static final int SCAN_PER_TICK = 64;
    /** Packets a rebalance round must have counted before it moves anything (below this the counts are noise). */
    static final long MIN_REBALANCE_PACKETS = 256;
    private static final int NONE = -1;

    private final ActiveCores cores;
    private final int buckets;
    private final int mask;
    private final int shift;
    private final long rebalanceNanos;
    private final int[] coreOf;
    /** Packets per bucket since the last rebalance, halved at each (the measured load). */
    private final int[] count;
    /** The core's published position when the bucket's last packet was placed ({@link CoreProgress}); -1: none since it moved. */
    private final long[] placedAt;
    private final int[] owned = new int[Streams.MAX_CORES];
    /** Per core: buckets it must still give (> 0) or receive (< 0) to reach the balance the last reallocation set. */
    private final int[] owe = new int[Streams.MAX_CORES];
    private final long[] load = new long[Streams.MAX_CORES];
    private final int[] byOwned = new int[Streams.MAX_CORES];
    private int owedTotal;
    private int cursor;
    private long lastRebalance = Long.MIN_VALUE;
    private CoreProgress progress;
    private long reallocations;
    private long moved;
    private long rebalanceMoves;
    private long movedSinceReallocation;

    /** {@code buckets} a power of two in 1..{@link #MAX_BUCKETS}; {@code rebalanceNanos} 0 turns the load rebalance off. */
    public BucketsPolicy(ActiveCores cores, int buckets, long rebalanceNanos) {
        if (buckets < 1 || buckets > MAX_BUCKETS || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("calisto.dispatch.buckets must be a power of two in 1.." + MAX_BUCKETS + ", was " + buckets);
        }
        if (rebalanceNanos < 0) throw new IllegalArgumentException("calisto.dispatch.buckets-rebalance-interval must be >= 0");
        this.cores = cores;
        this.buckets = buckets;
        this.mask = buckets - 1;
        this.shift = 32 - Integer.numberOfTrailingZeros(buckets);
        this.rebalanceNanos = rebalanceNanos;
        this.coreOf = new int[buckets];
        this.count = new int[buckets];
        this.placedAt = new long[buckets];
        Arrays.fill(coreOf, NONE);
        Arrays.fill(placedAt, -1);
        adoptOrphans();
    }

    @Override
    public void progress(CoreProgress progress) {
        this.progress = progress;
        // installed on the IO thread: the cores may have changed since this policy was built elsewhere
        adoptOrphans();
    }

    @Override
    public int coreFor(int rssHash, long nowNanos) {
        if (cores.count() == 0) return NO_CORE;
        int b = bucket(rssHash);
        int c = coreOf[b];
        if (c == NONE || !cores.contains(c)) {
            adoptOrphans();
            c = coreOf[b];
        } else if (owedTotal != 0 && owe[c] > 0 && !inFlight(b)) {
            // a grant still wants buckets from this core and this one's last packet has completed: it moves now
            c = moveOwed(b, c);
        }
        if (rebalanceNanos != 0) count[b]++;
        if (progress != null) placedAt[b] = progress.published(c);
        return c;
    }

    @Override
    public void onCoreAdded(int core) {
        if (cores.count() == 1) {
            adoptOrphans(); // the first core: buckets that had none get it; nothing moves
            return;
        }
        reallocations++;
        movedSinceReallocation = 0;
        setOwes();
        moveOwed(buckets);
    }

    @Override
    public void onCoreRemoved(int core) {
        int n = cores.count();
        owned[core] = 0;
        owe[core] = 0;
        if (n == 0) {
            Arrays.fill(coreOf, NONE);
            owedTotal = 0;
            return;
        }
        reallocations++;
        movedSinceReallocation = 0;
        for (int b = 0; b < buckets; b++) {
            if (coreOf[b] != core) continue;
            int to = fewest();
            coreOf[b] = to;
            owned[to]++;
            placedAt[b] = -1;
            moved++;
            movedSinceReallocation++;
        }
        setOwes();
        moveOwed(buckets);
    }

    @Override
    public void tick(long nowNanos) {
        if (owedTotal != 0) moveOwed(SCAN_PER_TICK);
        if (rebalanceNanos == 0) return;
        if (lastRebalance == Long.MIN_VALUE) lastRebalance = nowNanos;
        if (nowNanos - lastRebalance < rebalanceNanos) return;
        lastRebalance = nowNanos;
        rebalance();
    }

    /** One load-rebalance round now (tests and {@link #tick}). */
    void rebalance() {
        int n = cores.count();
        if (n >= 2 && owedTotal == 0) moveByLoad(n);
        for (int b = 0; b < buckets; b++) count[b] >>>= 1;
    }

    private void moveByLoad(int n) {
        long total = 0;
        for (int k = 0; k < n; k++) load[cores.get(k)] = 0;
        for (int b = 0; b < buckets; b++) {
            if (coreOf[b] >= 0) load[coreOf[b]] += count[b];
            total += count[b];
        }
        if (total < MIN_REBALANCE_PACKETS) return;
        long mean = total / n;
        for (int m = 0; m < REBALANCE_MOVES; m++) {
            int hi = cores.get(0), lo = hi;
            for (int k = 1; k < n; k++) {
                int c = cores.get(k);
                if (load[c] > load[hi]) hi = c;
                if (load[c] < load[lo]) lo = c;
            }
            long gap = load[hi] - load[lo];
            if (gap * 8 <= mean) return;
            int best = NONE;
            for (int b = 0; b < buckets; b++) {
                if (coreOf[b] != hi || count[b] == 0 || 2L * count[b] > gap) continue;
                if ((best == NONE || count[b] > count[best]) && !inFlight(b)) best = b;
            }
            if (best == NONE) return;
            move(best, hi, lo);
            load[hi] -= count[best];
            load[lo] += count[best];
            rebalanceMoves++;
        }
    }

    /**
     * The balanced targets for the held cores (⌈B/n⌉ for the r = B mod n cores holding the most buckets, ⌊B/n⌋ for
     * the rest) and what each core must give or take to reach them.
     */
    private void setOwes() {
        int n = cores.count();
        for (int k = 0; k < n; k++) byOwned[k] = cores.get(k);
        // insertion sort, most buckets first (n <= MAX_CORES; a reallocation, not a packet)
        for (int i = 1; i < n; i++) {
            int c = byOwned[i], j = i - 1;
            while (j >= 0 && owned[byOwned[j]] < owned[c]) {
                byOwned[j + 1] = byOwned[j];
                j--;
            }
            byOwned[j + 1] = c;
        }
        int q = buckets / n, r = buckets % n;
        owedTotal = 0;
        for (int k = 0; k < n; k++) {
            int c = byOwned[k];
            owe[c] = owned[c] - (k < r ? q + 1 : q);
            if (owe[c] > 0) owedTotal += owe[c];
        }
    }

    /** Examines up to {@code limit} buckets from the cursor and moves the drained ones whose core owes buckets. */
    private void moveOwed(int limit) {
        for (int i = 0; i < limit && owedTotal != 0; i++) {
            int b = cursor;
            cursor = (cursor + 1) & mask;
            int c = coreOf[b];
            if (c != NONE && owe[c] > 0 && !inFlight(b)) moveOwed(b, c);
        }
    }

    /** Moves bucket {@code b} from {@code from}, which owes buckets, to the core that still needs the most. */
    private int moveOwed(int b, int from) {
        int to = NONE;
        for (int k = 0; k < cores.count(); k++) {
            int c = cores.get(k);
            if (owe[c] < 0 && (to == NONE || owe[c] < owe[to])) to = c;
        }
        if (to == NONE) return from; // cannot happen: owes sum to zero
        move(b, from, to);
        owe[from]--;
        owe[to]++;
        owedTotal--;
        moved++;
        movedSinceReallocation++;
        return to;
    }

    private void move(int b, int from, int to) {
        coreOf[b] = to;
        owned[from]--;
        owned[to]++;
        placedAt[b] = -1;
    }

    /** Buckets without a held core (none yet, or the policy was built while cores changed) go to the held core with the fewest. */
    private void adoptOrphans() {
        int n = cores.count();
        Arrays.fill(owned, 0);
        for (int b = 0; b < buckets; b++) if (coreOf[b] != NONE && cores.contains(coreOf[b])) owned[coreOf[b]]++;
        for (int b = 0; b < buckets; b++) {
            if (coreOf[b] != NONE && cores.contains(coreOf[b])) continue;
            if (n == 0) {
                coreOf[b] = NONE;
                continue;
            }
            int to = fewest();
            coreOf[b] = to;
            owned[to]++;
            placedAt[b] = -1;
        }
        Arrays.fill(owe, 0);
        owedTotal = 0;
    }

    private int fewest() {
        int best = cores.get(0);
        for (int k = 1; k < cores.count(); k++) if (owned[cores.get(k)] < owned[best]) best = cores.get(k);
        return best;
    }

    private boolean inFlight(int b) { return progress != null && progress.inFlight(coreOf[b], placedAt[b]); }

    private int bucket(int rssHash) { return (rssHash * 0x9E3779B9) >>> shift & mask; }

    @Override
    public int placement(int rssHash) {
        int c = coreOf[bucket(rssHash)];
        return c == NONE ? NO_CORE : c;
    }

    @Override
    public String name() { return "buckets"; }

    @Override
    public long reallocations() { return reallocations; }

    @Override
    public long bucketsMoved() { return moved; }

    @Override
    public long rebalanceMoves() { return rebalanceMoves; }

    /** Buckets moved since the last grant or revoke began (its own and the owed moves made after it). */
    public long movedSinceReallocation() { return movedSinceReallocation; }

    /** Moves the last reallocation still owes (buckets in flight when it happened). */
    public int owed() { return owedTotal; }

    public int buckets() { return buckets; }

    /** The bucket of {@code rssHash} (for tests). */
    public int bucketOf(int rssHash) { return bucket(rssHash); }

    /** The core bucket {@code b} goes to, -1 when the app holds none (for tests). */
    public int coreOfBucket(int b) { return coreOf[b]; }

    /** Buckets {@code core} holds (for tests). */
    public int owned(int core) { return owned[core]; }
}
