package io.calisto.io.dispatch;

/**
 * Calisto's flow indirection table: RSS hash → core, open addressing with linear probing over one preallocated int
 * array (no boxing, no allocation after construction). {@code capacity} is the most entries it accepts; the slot
 * array is sized so the load factor stays ≤ 0.75 at capacity. A slot's key, value and timestamp sit side by side
 * ({@link #STRIDE} ints, 16 bytes, never across a cache line): at 700k flows the table is far larger than the
 * caches, and a lookup that touched three separate arrays cost three cache misses instead of one.
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

    /** Ints per slot: key, value, stamp (coarse time the entry was last seen; unused when entries never expire), pad. */
    static final int STRIDE = 4;
    private static final int KEY = 0, VALUE = 1, STAMP = 2;

    /** Slot i's key at {@code i * STRIDE + KEY}, value at {@code + VALUE} ({@link #MISSING}: empty), stamp at {@code + STAMP}. */
    private final int[] slots;
    /** False when entries never expire: stamps are neither written nor read. */
    private final boolean aging;
    private final int timeoutTicks;
    private final long idleTimeoutNanos;
    private final int mask;
    private final int capacity;
    private int size;
    private int cursor;
    private int lastTick;
    private long expired;

    /** The most entries a table may be sized for, 2^27: its 2^28 slots of {@link #STRIDE} ints are the largest power-of-two int array Java allows. */
    public static final int MAX_CAPACITY = 1 << 27;

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
        this.slots = new int[slots * STRIDE];
        for (int i = 0; i < slots; i++) this.slots[i * STRIDE + VALUE] = MISSING;
        mask = slots - 1;
        this.idleTimeoutNanos = idleTimeoutNanos;
        // rounded up: an entry is never taken before its timeout
        this.timeoutTicks = idleTimeoutNanos == NEVER ? 0 : (int) ((idleTimeoutNanos + (1L << TICK_SHIFT) - 1) >>> TICK_SHIFT);
        this.aging = idleTimeoutNanos != NEVER;
    }

    /** Value stored for {@code key}, or {@link #MISSING}; ignores age (an expired entry not yet swept is reported). */
    public int get(int key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = slots[i * STRIDE + VALUE];
            if (v == MISSING) return MISSING;
            if (slots[i * STRIDE + KEY] == key) return v;
        }
    }

    /**
     * The per-packet lookup: value stored for {@code key}, its timestamp refreshed, or {@link #MISSING}. An entry
     * idle longer than the timeout counts as missing and is removed here (counted in {@link #expired()}).
     */
    public int touch(int key, long nowNanos) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int at = i * STRIDE;
            int v = slots[at + VALUE];
            if (v == MISSING) return MISSING;
            if (slots[at + KEY] == key) {
                if (!aging) return v;
                int now = tick(nowNanos);
                if (now - slots[at + STAMP] > timeoutTicks) {
                    shiftBack(i);
                    size--;
                    expired++;
                    return MISSING;
                }
                slots[at + STAMP] = now;
                return v;
            }
        }
    }

    /**
     * Reads {@code key}'s home slot and nothing else, so that a later {@link #touch} of it finds the line in cache.
     * The IO core calls it for every packet of a burst before dispatching any (a tight loop of independent loads the
     * CPU overlaps, where lookups spread between parsing and claiming miss one after the other); the caller must
     * use the returned int (e.g. sum it into a field) or the JIT drops the load.
     */
    public int prefetch(int key) { return slots[slot(key) * STRIDE + KEY]; }

    /** Inserts or replaces; returns false only when the key is new and the table holds {@code capacity} entries. */
    public boolean put(int key, int value) { return put(key, value, lastTick, false); }

    /** As {@link #put(int, int)}, stamping the entry as seen at {@code nowNanos}. */
    public boolean put(int key, int value, long nowNanos) { return put(key, value, aging ? tick(nowNanos) : 0, true); }

    private boolean put(int key, int value, int now, boolean stamp) {
        if (value < 0) throw new IllegalArgumentException("flow table values must be >= 0, was " + value);
        int i = slot(key);
        for (; slots[i * STRIDE + VALUE] != MISSING; i = (i + 1) & mask) {
            if (slots[i * STRIDE + KEY] == key) {
                slots[i * STRIDE + VALUE] = value;
                if (stamp && aging) slots[i * STRIDE + STAMP] = now;
                return true;
            }
        }
        if (size == capacity) return false;
        int at = i * STRIDE;
        slots[at + KEY] = key;
        slots[at + VALUE] = value;
        if (aging) slots[at + STAMP] = now;
        size++;
        return true;
    }

    /** Removes {@code key}; returns its value or {@link #MISSING}. Backward-shift keeps probe chains intact. */
    public int remove(int key) {
        int i = slot(key);
        for (; slots[i * STRIDE + VALUE] != MISSING; i = (i + 1) & mask) {
            if (slots[i * STRIDE + KEY] == key) {
                int old = slots[i * STRIDE + VALUE];
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
        if (!aging || size == 0) return 0;
        int now = tick(nowNanos);
        int removed = 0;
        int i = cursor;
        for (int n = 0; n < maxSlots; n++) {
            if (slots[i * STRIDE + VALUE] != MISSING && now - slots[i * STRIDE + STAMP] > timeoutTicks) {
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
        for (int j = (hole + 1) & mask; slots[j * STRIDE + VALUE] != MISSING; j = (j + 1) & mask) {
            int home = slot(slots[j * STRIDE + KEY]);
            // move j into the hole if its home slot is not cyclically in (hole, j]
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                System.arraycopy(slots, j * STRIDE, slots, hole * STRIDE, STRIDE);
                hole = j;
            }
        }
        slots[hole * STRIDE + VALUE] = MISSING;
    }

    private int tick(long nowNanos) {
        int t = (int) (nowNanos >> TICK_SHIFT);
        lastTick = t;
        return t;
    }

    public int size() { return size; }

    public int capacity() { return capacity; }

    /** Slots in the preallocated arrays (a power of two, fixed at construction). */
    public int slots() { return mask + 1; }

    public boolean isFull() { return size == capacity; }

    /** The idle timeout in nanoseconds, or {@link #NEVER}. */
    public long idleTimeoutNanos() { return idleTimeoutNanos; }

    /** Entries removed because they were idle longer than the timeout (by {@link #touch} or {@link #sweep}). */
    public long expired() { return expired; }

    public void clear() {
        for (int i = 0; i <= mask; i++) slots[i * STRIDE + VALUE] = MISSING;
        size = 0;
    }

    /** Calls {@code visitor} for every entry, expired ones not yet swept included; control path only. */
    public void forEach(EntryVisitor visitor) {
        for (int i = 0; i <= mask; i++) {
            int v = slots[i * STRIDE + VALUE];
            if (v != MISSING) visitor.visit(slots[i * STRIDE + KEY], v);
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
