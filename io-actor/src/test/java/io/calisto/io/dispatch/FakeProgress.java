package io.calisto.io.dispatch;

import io.calisto.aeron.Streams;

/**
 * A hand-stepped stand-in for the app's positions: each packet a test sends to a core advances that core's published
 * position by one; {@link #complete} moves a core's completed position.
 */
final class FakeProgress implements CoreProgress {
    final long[] published = new long[Streams.MAX_CORES];
    final long[] completed = new long[Streams.MAX_CORES];

    @Override public long published(int core) { return published[core]; }

    @Override public long completed(int core) { return completed[core]; }

    /** The IO core's side after the policy chose: the packet is published to {@code core}. */
    int send(DispatchPolicy p, int hash, long now) {
        int core = p.coreFor(hash, now);
        if (core >= 0) published[core]++;
        return core;
    }

    /** {@code core}'s actor completed everything published to it. */
    void completeAll(int core) { completed[core] = published[core]; }
}
