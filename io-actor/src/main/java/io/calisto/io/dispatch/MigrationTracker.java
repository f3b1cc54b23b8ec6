package io.calisto.io.dispatch;

/**
 * Counts flow migrations: a flow (RSS hash) whose packets reached more than one core. Same hash → same core under
 * every policy, so keying by hash never reports a false move.
 *
 * <p>Sampled: only flows whose hash falls in one of {@code sample} equal shares (a fixed set of hashes, so a
 * sampled flow is followed packet by packet) are looked up; the counts are those of the sample times
 * {@code sample}. A lookup in a table of hundreds of thousands of flows is a cache miss, which profiling showed to be
 * half of the IO core's time per packet (modulo, 700k flows); with a 1-in-16 sample it is paid by one packet in 16
 * and the table is 16 times smaller. {@code sample} 1 follows every flow: exact counts, one lookup per packet.
 *
 * <p>Entries age like the flow table's: a tracked flow silent for the idle timeout is forgotten ({@link #tick}
 * sweeps a bounded number of slots per IO loop iteration), so the table keeps room for new flows. A forgotten flow
 * that comes back is a new flow: a later move of it counts it as migrated again. IO thread only.
 */
public final class MigrationTracker {
    private static final int MOVED = 1 << 30;
    private final FlowTable lastCore;
    private final int sample;
    private final int sampleMask;
    private final int sweepSlots;
    private long moves;
    private long migratedFlows;
    private long untracked;

    /** Every flow, never forgotten (exact counts). */
    public MigrationTracker(int capacity) { this(capacity, 1, FlowTable.NEVER); }

    /**
     * Follows one flow in {@code sample} (a power of two, 1..65536), for counts covering up to {@code capacity}
     * flows (the table holds {@code capacity / sample} of them); entries expire after {@code idleTimeoutNanos}
     * without a packet ({@link FlowTable#NEVER}: never).
     */
    public MigrationTracker(int capacity, int sample, long idleTimeoutNanos) {
        if (sample < 1 || sample > 1 << 16 || Integer.bitCount(sample) != 1) {
            throw new IllegalArgumentException("calisto.dispatch.migration-sample must be a power of two in 1..65536, was " + sample);
        }
        this.sample = sample;
        this.sampleMask = sample - 1;
        this.lastCore = new FlowTable(Math.max(1, capacity / sample), idleTimeoutNanos);
        this.sweepSlots = Math.clamp(lastCore.slots() >> 14, 1, AffinityTablePolicy.SWEEP_SLOTS);
    }

    /** True when the flow with this hash is one of the sample: a multiply and a mask, no memory touched. */
    public boolean sampled(int rssHash) { return ((rssHash * 0x7FEB352D) >>> 16 & sampleMask) == 0; }

    /** Loads what {@link #record} will read for this flow into cache (sampled flows only); returns what it read (use it). */
    public int prefetch(int rssHash) { return sampled(rssHash) ? lastCore.prefetch(rssHash) : 0; }

    /** A packet of this flow was published to {@code core}. */
    public void record(int rssHash, int core, long nowNanos) {
        if (!sampled(rssHash)) return;
        int prev = lastCore.touch(rssHash, nowNanos);
        if (prev == FlowTable.MISSING) {
            if (!lastCore.put(rssHash, core, nowNanos)) untracked++;
            return;
        }
        if ((prev & ~MOVED) == core) return;
        moves++;
        if ((prev & MOVED) == 0) migratedFlows++;
        lastCore.put(rssHash, core | MOVED, nowNanos);
    }

    /** As {@link #record(int, int, long)} for a tracker whose entries never expire. */
    public void record(int rssHash, int core) { record(rssHash, core, 0); }

    /**
     * Housekeeping once per IO loop iteration: sweeps a bounded number of slots for expired entries, as many as make
     * a full pass in about 16,384 iterations, like the flow table's at 700k flows (JFR: 64 slots per iteration of
     * a 16 times smaller table cost 4% of the IO thread).
     */
    public void tick(long nowNanos) { lastCore.sweep(nowNanos, sweepSlots); }

    /** Packets that changed core relative to the flow's previous packet (the sample's count times the sample rate). */
    public long moves() { return moves * sample; }

    /** Distinct flows that reached more than one core (the sample's count times the sample rate). */
    public long migratedFlows() { return migratedFlows * sample; }

    /** Flows tracked now (the sample's count times the sample rate; expired flows left out). */
    public int flows() { return lastCore.size() * sample; }

    /** New flows not tracked because the table was full (times the sample rate). */
    public long untracked() { return untracked * sample; }

    /** One flow in how many is followed. */
    public int sample() { return sample; }
}
