package io.calisto.io.dispatch;

import java.util.Arrays;

/**
 * Calisto's flow indirection table: RSS hash → core, open addressing with linear probing over preallocated int
 * arrays (no boxing, no allocation after construction). {@code capacity} is the most entries it accepts; the slot
 * array is sized so the load factor stays ≤ 0.75 at capacity.
 *
 * <p>Entries can age out. With an idle timeout, every entry carries a coarse timestamp (one int, in ticks of
 * 2^20 ns ≈ 1.05 ms) that {@link #touch} refreshes on every hit. An entry idle longer than the timeout is gone:
 * {@link #touch} treats it as missing (and removes it), and {@link #sweep}, called by the IO loop once per
 * iteration, removes such entries a bounded number of slots at a time, so a table that once filled up accepts new
 * flows again. An entry never expires before its timeout; it is removed at most about 2 ms after it, plus the time
 * the sweep takes to come round to its slot. Ticks are ints and wrap (every ~52 days); ages are differences
 * modulo 2^32, right while an entry is examined less than ~26 days after it was last stamped, which the sweep's
 * passes guarantee (timeouts are limited to {@link #MAX_IDLE_TIMEOUT_NANOS}, about 13 days).
 */
public final class FlowTable {
    public static final int MISSING = -1;
    /** Idle timeout of a table whose entries never expire (no timestamps are kept). */
    public static final long NEVER = Long.MAX_VALUE;
    /** One tick of the coarse clock is {@code 2^TICK_SHIFT} ns. */
    public static final int TICK_SHIFT = 20;
    /** Longest finite idle timeout: 2^30 ticks, about 13 days (ages must stay well inside an int). */
    public static final long MAX_IDLE_TIMEOUT_NANOS = 1L << (30 + TICK_SHIFT);

    private final int[] keys;
    private final int[] values;
    /** Coarse time each entry was last seen; null when entries never expire. */
    private final int[] stamps;
    private final int timeoutTicks;
    private final long idleTimeoutNanos;
    private final int mask;
    private final int capacity;
    private int size;
    private int cursor;
    private int lastTick;
    private long expired;

    /** The most entries a table may be sized for. */
    public static final int MAX_CAPACITY = 1 << 28;

    /** A table whose entries never expire. */
    public FlowTable(int capacity) { this(capacity, NEVER); }

    /**
     * A table whose entries expire after {@code idleTimeoutNanos} without a {@link #touch} or {@link #put}
     * ({@link #NEVER}: never). Finite timeouts must be in 1..{@link #MAX_IDLE_TIMEOUT_NANOS}.
     */
    public FlowTable(int capacity, long idleTimeoutNanos) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("flow table capacity must be in 1.." + MAX_CAPACITY + ", was " + capacity);
        }
        if (idleTimeoutNanos != NEVER && (idleTimeoutNanos < 1 || idleTimeoutNanos > MAX_IDLE_TIMEOUT_NANOS)) {
            throw new IllegalArgumentException("flow idle timeout must be in 1.." + MAX_IDLE_TIMEOUT_NANOS + " ns (about 13 days) or NEVER, was "
                + idleTimeoutNanos + " ns");
        }
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(2, (int) Math.ceil(capacity / 0.75))) << 1;
        keys = new int[slots];
        values = new int[slots];
        Arrays.fill(values, MISSING);
        mask = slots - 1;
        this.idleTimeoutNanos = idleTimeoutNanos;
        // rounded up: an entry is never taken before its timeout
        this.timeoutTicks = idleTimeoutNanos == NEVER ? 0 : (int) ((idleTimeoutNanos + (1L << TICK_SHIFT) - 1) >>> TICK_SHIFT);
        this.stamps = idleTimeoutNanos == NEVER ? null : new int[slots];
    }

    /** Value stored for {@code key}, or {@link #MISSING}; ignores age (an expired entry not yet swept is reported). */
    public int get(int key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == MISSING) return MISSING;
            if (keys[i] == key) return v;
        }
    }

    /**
     * The per-packet lookup: value stored for {@code key}, its timestamp refreshed, or {@link #MISSING}. An entry
     * idle longer than the timeout counts as missing and is removed here (counted in {@link #expired()}).
     */
    public int touch(int key, long nowNanos) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == MISSING) return MISSING;
            if (keys[i] == key) {
                if (stamps == null) return v;
                int now = tick(nowNanos);
                if (now - stamps[i] > timeoutTicks) {
                    shiftBack(i);
                    size--;
                    expired++;
                    return MISSING;
                }
                stamps[i] = now;
                return v;
            }
        }
    }

    /** Inserts or replaces; returns false only when the key is new and the table holds {@code capacity} entries. */
    public boolean put(int key, int value) { return put(key, value, lastTick, false); }

    /** As {@link #put(int, int)}, stamping the entry as seen at {@code nowNanos}. */
    public boolean put(int key, int value, long nowNanos) { return put(key, value, stamps == null ? 0 : tick(nowNanos), true); }

    private boolean put(int key, int value, int now, boolean stamp) {
        if (value < 0) throw new IllegalArgumentException("flow table values must be >= 0, was " + value);
        int i = slot(key);
        for (; values[i] != MISSING; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                if (stamp && stamps != null) stamps[i] = now;
                return true;
            }
        }
        if (size == capacity) return false;
        keys[i] = key;
        values[i] = value;
        if (stamps != null) stamps[i] = now;
        size++;
        return true;
    }

    /** Removes {@code key}; returns its value or {@link #MISSING}. Backward-shift keeps probe chains intact. */
    public int remove(int key) {
        int i = slot(key);
        for (; values[i] != MISSING; i = (i + 1) & mask) {
            if (keys[i] == key) {
                int old = values[i];
                shiftBack(i);
                size--;
                return old;
            }
        }
        return MISSING;
    }

    /**
     * Removes entries idle longer than the timeout, examining at most {@code maxSlots} slots from where the previous
     * call stopped (a slot whose entry was removed is examined again: the backward shift may have moved a later
     * entry into it). Each examination either removes an entry or moves on one slot, so {@code (slots() + size())
     * / maxSlots} calls, rounded up, always make a full pass. O(maxSlots) plus the backward shifts; no allocation.
     * Returns the number of entries removed; a table without timeout does nothing.
     */
    public int sweep(long nowNanos, int maxSlots) {
        if (stamps == null || size == 0) return 0;
        int now = tick(nowNanos);
        int removed = 0;
        int i = cursor;
        for (int n = 0; n < maxSlots; n++) {
            if (values[i] != MISSING && now - stamps[i] > timeoutTicks) {
                shiftBack(i);
                size--;
                removed++;
            } else {
                i = (i + 1) & mask;
            }
        }
        cursor = i;
        expired += removed;
        return removed;
    }

    private void shiftBack(int hole) {
        for (int j = (hole + 1) & mask; values[j] != MISSING; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            // move j into the hole if its home slot is not cyclically in (hole, j]
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                if (stamps != null) stamps[hole] = stamps[j];
                hole = j;
            }
        }
        values[hole] = MISSING;
    }

    private int tick(long nowNanos) {
        int t = (int) (nowNanos >> TICK_SHIFT);
        lastTick = t;
        return t;
    }

    public int size() { return size; }

    public int capacity() { return capacity; }

    /** Slots in the preallocated arrays (a power of two, fixed at construction). */
    public int slots() { return keys.length; }

    public boolean isFull() { return size == capacity; }

    /** The idle timeout in nanoseconds, or {@link #NEVER}. */
    public long idleTimeoutNanos() { return idleTimeoutNanos; }

    /** Entries removed because they were idle longer than the timeout (by {@link #touch} or {@link #sweep}). */
    public long expired() { return expired; }

    public void clear() {
        Arrays.fill(values, MISSING);
        size = 0;
    }

    /** Calls {@code visitor} for every entry, expired ones not yet swept included; control path only. */
    public void forEach(EntryVisitor visitor) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != MISSING) visitor.visit(keys[i], values[i]);
        }
    }

    @FunctionalInterface
    public interface EntryVisitor {
        void visit(int key, int value);
    }

    private int slot(int key) {
        // RSS hashes of similar tuples share low bits; mix before masking (murmur3 finaliser)
        int h = key;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & mask;
    }
}
