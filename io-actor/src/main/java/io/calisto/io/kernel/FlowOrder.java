package io.calisto.io.kernel;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.Streams;

/**
 * Per-flow order across core changes, for every policy: where each flow's last packet went (core and that core's
 * stream position after it). When a policy sends a flow's next packet to another core while the old core has not
 * completed the previous one, the frame carries a barrier (old core, position) and the new core-actor handles it
 * only once the old core's completed position passed it. So a flow is never in two handlers at once and never
 * overtaken, whether it moved because of a grant, yield, preemption, limit change, drain or policy swap; the old
 * core's drain stays bounded (nothing is held back on the IO core, nothing is re-sent to a leaving core).
 * <p>
 * Keyed by a direct-mapped bucket of the RSS hash, not by the exact flow: two flows sharing a bucket are ordered
 * with each other too, which costs a wait only when the bucket's previous packet is still in flight on another core
 * (rare with 64k buckets); a forgotten flow is impossible, so nothing ages and nothing is allocated. IO thread only.
 * A bucket's core and position share one 16-byte slot: one cache miss per packet, not two (the IO core's JFR profile
 * at 700k flows, affinity, had {@link #barrierFor} at a fifth of its samples with two arrays).
 */
public final class FlowOrder {
    /** Bucket b: the core its last packet went to at {@code 2b} ({@link FrameLayout#NO_BARRIER}: none yet), the position after it at {@code 2b + 1}. */
    private final long[] buckets;
    private final int mask;
    private final int shift;
    /** Set by {@link #barrierFor}: the barrier the next frame carries, and the flow's bucket for {@link #sent}. */
    private long barrierPosition;
    private int bucket;
    /** Per core, the completed position last read from its slot (-1: none yet); never ahead of the slot's own. */
    private final long[] completedSeen = new long[Streams.MAX_CORES];

    public FlowOrder(int buckets) {
        if (buckets < 1 || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("calisto.dispatch.order-buckets must be a power of two >= 1, was " + buckets);
        }
        this.buckets = new long[2 * buckets];
        for (int b = 0; b < buckets; b++) this.buckets[2 * b] = FrameLayout.NO_BARRIER;
        mask = buckets - 1;
        java.util.Arrays.fill(completedSeen, -1);
        shift = 32 - Integer.numberOfTrailingZeros(buckets);
    }

    /**
     * The core the frame of this flow going to {@code core} must wait for, or {@link FrameLayout#NO_BARRIER};
     * the position to wait for is then {@link #barrierPosition()}. One array read when the flow stays put; when it
     * moves, a volatile read of the old core's slot only if the last one read did not already pass the position.
     */
    public int barrierFor(int rssHash, int core, CoreSlot[] slots) {
        int b = bucket = bucket(rssHash);
        int prev = (int) buckets[2 * b];
        if (prev == FrameLayout.NO_BARRIER || prev == core) return FrameLayout.NO_BARRIER;
        long pos = buckets[2 * b + 1];
        // a completed position only grows: one seen before that already passes pos needs no new read of the slot,
        // whose line the other CPU's core-actor keeps writing (a coherence miss per read, per moved packet)
        if (completedSeen[prev] >= pos) return FrameLayout.NO_BARRIER;
        long completed = completedSeen[prev] = slots[prev].completed();
        if (completed >= pos) return FrameLayout.NO_BARRIER;
        barrierPosition = pos;
        return prev;
    }

    public long barrierPosition() { return barrierPosition; }

    /**
     * The packet of the flow last given to {@link #barrierFor} went to {@code core}, ending at stream position
     * {@code position} (its bucket is not hashed twice).
     */
    public void sent(int core, long position) {
        buckets[2 * bucket] = core;
        buckets[2 * bucket + 1] = position;
    }

    /** Reads this flow's bucket and nothing else, so the {@link #barrierFor} that follows finds it in cache; returns what it read (use it). */
    public int prefetch(int rssHash) { return (int) buckets[2 * bucket(rssHash)]; }

    private int bucket(int rssHash) {
        // Fibonacci hashing: RSS hashes of similar tuples differ in few bits; spread them before masking
        return (rssHash * 0x9E3779B9) >>> shift & mask;
    }
}
