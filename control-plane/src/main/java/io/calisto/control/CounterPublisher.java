package io.calisto.control;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.calisto.aeron.CounterTypes;
import io.calisto.aeron.DropReason;
import io.calisto.io.kernel.IoKernel;

/**
 * Mirrors the IO core's counters into the Aeron counters file every millisecond, so AeronStat (or any process
 * mapping the same Aeron directory) can watch the dataplane. The IO thread never touches Aeron counters itself: it
 * keeps plain single-writer counts, and this copy runs on the control-plane's pump thread.
 */
final class CounterPublisher implements AutoCloseable {
    private final IoKernel kernel;
    private final Counter rx, replies, tx;
    private final Counter[] drops = new Counter[DropReason.count()];

    CounterPublisher(Aeron aeron, IoKernel kernel) {
        this.kernel = kernel;
        this.rx = CounterTypes.add(aeron, CounterTypes.RX_PACKETS, -1, -1, -1, "calisto rx packets");
        this.replies = CounterTypes.add(aeron, CounterTypes.REPLIES, -1, -1, -1, "calisto replies from apps");
        this.tx = CounterTypes.add(aeron, CounterTypes.TX_PACKETS, -1, -1, -1, "calisto tx packets");
        for (DropReason r : DropReason.values()) {
            drops[r.ordinal()] = CounterTypes.add(aeron, CounterTypes.DROPS, -1, -1, r.ordinal(), "calisto drops " + r.label());
        }
    }

    void publish() {
        rx.setRelease(kernel.received());
        replies.setRelease(kernel.replies());
        tx.setRelease(kernel.transmitted());
        for (DropReason r : DropReason.values()) drops[r.ordinal()].setRelease(kernel.dropped(r));
    }

    @Override
    public void close() {
        rx.close();
        replies.close();
        tx.close();
        for (Counter c : drops) c.close();
    }
}
