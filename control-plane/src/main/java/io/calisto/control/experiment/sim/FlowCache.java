package io.calisto.control.experiment.sim;

import org.agrona.collections.Int2IntHashMap;

/**
 * One core's cache of flow-state blocks, least recently used out first, with a capacity in bytes (a per-core L2):
 * a request's access to its flow's state is a hit when the block is here, else a miss that brings it in and evicts
 * the least recently used blocks until it fits. Blocks may differ in size (several apps). O(1) per access: a map from
 * key to slot and a doubly linked recency list over preallocated slot arrays.
 */
public final class FlowCache {
    private static final int NONE = -1;
    private final long capacityBytes;
    private final Int2IntHashMap slotOf;
    private final int[] key, size, prev, next;
    private int head = NONE, tail = NONE, freeTop; // head: most recent; tail: least recent
    private final int[] free;
    private long usedBytes;

    /** {@code minBlockBytes}: the smallest block any app uses, which bounds how many blocks fit. */
    public FlowCache(long capacityBytes, int minBlockBytes) {
        if (capacityBytes < 1 || minBlockBytes < 1) throw new IllegalArgumentException("cache capacity and block size must be >= 1 byte");
        this.capacityBytes = capacityBytes;
        int slots = (int) Math.min(Integer.MAX_VALUE - 8, capacityBytes / minBlockBytes + 1);
        key = new int[slots];
        size = new int[slots];
        prev = new int[slots];
        next = new int[slots];
        free = new int[slots];
        for (int i = 0; i < slots; i++) free[i] = slots - 1 - i;
        freeTop = slots;
        slotOf = new Int2IntHashMap(Math.max(8, slots * 2), 0.65f, NONE);
    }

    /** Accesses block {@code k} of {@code bytes}: true on a hit (it becomes most recent), false on a miss (it is brought in). */
    public boolean access(int k, int bytes) {
        int s = slotOf.get(k);
        if (s != NONE) {
            unlink(s);
            pushFront(s);
            return true;
        }
        if (bytes > capacityBytes) return false; // larger than the cache: never resident
        while (usedBytes + bytes > capacityBytes || freeTop == 0) evict();
        s = free[--freeTop];
        key[s] = k;
        size[s] = bytes;
        usedBytes += bytes;
        slotOf.put(k, s);
        pushFront(s);
        return false;
    }

    public boolean contains(int k) { return slotOf.get(k) != NONE; }

    public int blocks() { return slotOf.size(); }

    public long usedBytes() { return usedBytes; }

    private void evict() {
        int s = tail;
        unlink(s);
        slotOf.remove(key[s]);
        usedBytes -= size[s];
        free[freeTop++] = s;
    }

    private void unlink(int s) {
        if (prev[s] != NONE) next[prev[s]] = next[s];
        else head = next[s];
        if (next[s] != NONE) prev[next[s]] = prev[s];
        else tail = prev[s];
    }

    private void pushFront(int s) {
        prev[s] = NONE;
        next[s] = head;
        if (head != NONE) prev[head] = s;
        head = s;
        if (tail == NONE) tail = s;
    }
}
