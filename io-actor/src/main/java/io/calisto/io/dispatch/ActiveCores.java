package io.calisto.io.dispatch;

import io.calisto.aeron.Streams;

/**
 * The cores an application holds, in Shenango's {@code active_threads} order: a grant appends, a revoke moves the
 * last core into the hole. That order is what {@code hash % count} indexes, so it is kept exactly.
 */
public final class ActiveCores {
    private final int[] cores = new int[Streams.MAX_CORES];
    private final int[] indexOf = new int[Streams.MAX_CORES];
    private int count;

    public ActiveCores() { java.util.Arrays.fill(indexOf, -1); }

    public int count() { return count; }

    public int get(int index) { return cores[index]; }

    public boolean contains(int core) { return core >= 0 && core < indexOf.length && indexOf[core] >= 0; }

    /** Appends {@code core}; false if already held. */
    public boolean add(int core) {
        if (core < 0 || core >= indexOf.length) throw new IllegalArgumentException("core out of range: " + core);
        if (indexOf[core] >= 0) return false;
        indexOf[core] = count;
        cores[count++] = core;
        return true;
    }

    /** Removes {@code core} (last core takes its slot); false if not held. */
    public boolean remove(int core) {
        if (!contains(core)) return false;
        int at = indexOf[core];
        int last = cores[--count];
        cores[at] = last;
        indexOf[last] = at;
        indexOf[core] = -1;
        return true;
    }

    public int[] toArray() { return java.util.Arrays.copyOf(cores, count); }
}
