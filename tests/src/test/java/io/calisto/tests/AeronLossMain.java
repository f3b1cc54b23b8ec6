package io.calisto.tests;

import com.typesafe.config.Config;
import io.calisto.aeron.MatchRule;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.core.AppSpec;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A dataplane whose Aeron client closes itself under a core-actor that is inside its handler (AeronLossTest runs it
 * in its own JVM, since the failure it guards against is a SIGSEGV). The client conductor is stalled past the
 * client liveness timeout by holding its lock; the handler waits until the client is closed, then reads its
 * packet's bytes, as a core-actor descheduled mid-batch on a loaded machine would. Args: close-linger (e.g. 5s, 0).
 */
public final class AeronLossMain {
    public static void main(String[] args) throws Exception {
        Config c = EndToEndTest.config(Map.of("calisto.synthetic.max-packets", 1000, "calisto.synthetic.rate", 1000,
            "calisto.cores.pool", List.of(0), "calisto.io.idle-strategy", "backoff",
            "calisto.aeron.client-liveness-timeout", "1s", "calisto.aeron.close-linger", args[0]));
        CountDownLatch inHandler = new CountDownLatch(1);
        AtomicLong readAfterClose = new AtomicLong(-1);
        Dataplane[] holder = new Dataplane[1];
        AppSpec spec = new AppSpec("victim", MatchRule.parse("dst-port=7"), core -> ctx -> {
            if (readAfterClose.get() >= 0 || inHandler.getCount() == 0) return;
            inHandler.countDown();
            while (!holder[0].aeron().isClosed()) Thread.onSpinWait();
            sleep(200); // closed: without a linger its buffers are unmapped by now
            long sum = 0;
            for (int i = 0; i < ctx.length(); i++) sum += ctx.buffer().getByte(ctx.offset() + i);
            readAfterClose.set(Math.abs(sum) + 1);
        });
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "loss-apps", c);
        Dataplane dp = Dataplane.start(c, Ports.create(c));
        holder[0] = dp;
        String dir = dp.aeron().context().aeronDirectoryName();
        dp.register(apps, spec, 1, 1);
        dp.startRx();
        if (!inHandler.await(30, TimeUnit.SECONDS)) throw new AssertionError("no packet reached the handler");
        Lock conductor = dp.aeron().context().clientLock();
        conductor.lock(); // the conductor's duty cycle only tryLocks: it stalls, as a descheduled thread would
        try {
            sleep(2500);
        } finally {
            conductor.unlock();
        }
        String line = dp.aeronLost().get(30, TimeUnit.SECONDS);
        System.out.println("lost: " + line);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (readAfterClose.get() < 0 && System.nanoTime() < deadline) sleep(10);
        System.out.println("handler read its packet after the client closed: " + (readAfterClose.get() > 0));
        dp.close();
        apps.terminate();
        System.out.println("directory removed: " + !new File(dir).exists());
        System.exit(Dataplane.EXIT_AERON_LOST);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
