package io.calisto.io.dispatch;

import java.util.Arrays;

/**
 * Calisto's flow indirection table: RSS hash → core, open addressing with linear probing over two preallocated
 * int arrays (no boxing, no allocation after construction). {@code capacity} is the most entries it accepts;
 * the slot array is sized so the load factor stays ≤ 0.75 at capacity.
 */
public final class FlowTable {
    public static final int MISSING = -1;

    private final int[] keys;
    private final int[] values;
    private final int mask;
    private final int capacity;
    private int size;

    public FlowTable(int capacity) {
        if (capacity < 1 || capacity > (1 << 28)) {
            throw new IllegalArgumentException("flow table capacity must be in 1.." + (1 << 28) + ", was " + capacity);
        }
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(2, (int) Math.ceil(capacity / 0.75))) << 1;
        keys = new int[slots];
        values = new int[slots];
        Arrays.fill(values, MISSING);
        mask = slots - 1;
    }

    /** Value stored for {@code key}, or {@link #MISSING}. */
    public int get(int key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == MISSING) return MISSING;
            if (keys[i] == key) return v;
        }
    }

    /** Inserts or replaces; returns false only when the key is new and the table holds {@code capacity} entries. */
    public boolean put(int key, int value) {
        if (value < 0) throw new IllegalArgumentException("flow table values must be >= 0, was " + value);
        int i = slot(key);
        for (; values[i] != MISSING; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return true;
            }
        }
        if (size == capacity) return false;
        keys[i] = key;
        values[i] = value;
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

    private void shiftBack(int hole) {
        for (int j = (hole + 1) & mask; values[j] != MISSING; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            // move j into the hole if its home slot is not cyclically in (hole, j]
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = MISSING;
    }

    public int size() { return size; }

    public int capacity() { return capacity; }

    public boolean isFull() { return size == capacity; }

    public void clear() {
        Arrays.fill(values, MISSING);
        size = 0;
    }

    /** Calls {@code visitor} for every entry; control path only (e.g. draining a core). */
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
