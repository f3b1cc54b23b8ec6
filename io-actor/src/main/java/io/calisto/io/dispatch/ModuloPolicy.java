package io.calisto.io.dispatch;

/** Shenango: {@code active_threads[hash % active_thread_count]}. Every change of the core count moves flows. */
public final class ModuloPolicy implements DispatchPolicy {
    private final ActiveCores cores;

    public ModuloPolicy(ActiveCores cores) { this.cores = cores; }

    @Override
    public int coreFor(int rssHash, long nowNanos) {
        int n = cores.count();
        return n == 0 ? NO_CORE : cores.get(Integer.remainderUnsigned(rssHash, n));
    }

    @Override
    public int placement(int rssHash) { return coreFor(rssHash, 0); }

    @Override
    public String name() { return "modulo"; }
}
