package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.ffm.RealtimePriority;
import io.calisto.control.RunSummary;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, grant reaction: with {@code calisto.core.realtime-priority} set, every packet is handled on a SCHED_FIFO
 * thread (the core-actor's, pinned to its own CPU); with 0, none is. The handler asks the kernel (sched_getscheduler).
 */
class RealtimeCoreTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 10})
    void everyPacketIsHandledOnAThreadOfTheConfiguredClass(int priority) throws Exception {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs 2 CPUs: the IO thread's and the core-actor's");
        Assumptions.assumeTrue(RealtimePriority.permitted(10), "this process may not use SCHED_FIFO (not root, no CAP_SYS_NICE, ulimit -r 0)");
        int packets = 2_000;
        Config c = EndToEndTest.config(Map.of(
            "calisto.synthetic.max-packets", packets,
            "calisto.synthetic.rate", 20_000,
            "calisto.synthetic.flows", 50,
            "calisto.io.cpu", 0,
            "calisto.io.idle-strategy", "backoff",
            "calisto.cores.pool", List.of(0),
            "calisto.cores.cpus", List.of(1),
            "calisto.core.realtime-priority", priority));
        AtomicLong fifo = new AtomicLong(), ordinary = new AtomicLong();
        PacketHandler handler = ctx -> (RealtimePriority.isFifo() ? fifo : ordinary).incrementAndGet();
        RunSummary s = EndToEndTest.runToExhaustion(c, new AppSpec("rt", MatchRule.parse("dst-port=7"), core -> handler), 1, 1, dp -> { });
        assertEquals(packets, s.delivered(), s.toString());
        assertEquals(priority > 0 ? packets : 0, fifo.get(), "packets handled on a SCHED_FIFO thread");
        assertEquals(priority > 0 ? 0 : packets, ordinary.get(), "packets handled on an ordinary thread");
    }
}
