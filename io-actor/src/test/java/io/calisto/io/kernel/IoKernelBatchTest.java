package io.calisto.io.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.EmbeddedDriver;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.dispatch.FlowTable;
import io.calisto.io.port.PacketPort;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.SyntheticConfig;
import io.calisto.io.port.SyntheticPort;
import io.calisto.io.port.TxBatch;
import io.calisto.io.rss.Toeplitz;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Multi-frame claims, with the IO loop stepped by hand over a real Aeron IPC stream per core: consecutive packets of a
 * burst for one core share one claim, and every frame of a batch keeps its own stream position, which is what the
 * per-flow barrier names (docs/decisions.md 35). A scripted policy says which core each packet goes to; the packets
 * carry their flow's hash (NIC-supplied) so the flows are chosen by the test.
 */
class IoKernelBatchTest {
    /** The packets of one burst, by flow (hash), and the core the policy sends each to. */
    static final int[] HASHES = {10, 11, 12, 10, 13, 11};
    static final int[] CORES = {0, 0, 1, 1, 1, 0};

    /** A frame seen on a core stream: the flow, its barrier, and the stream position after it as a core-actor computes it. */
    record Seen(int core, int fragment, int hash, int barrierCore, long barrierPosition, long position) {}

    private EmbeddedDriver driver;
    private Aeron aeron;
    private IoKernel kernel;
    private AppDispatch app;
    private final Subscription[] subs = new Subscription[2];

    @BeforeEach
    void start() {
        driver = EmbeddedDriver.launch("/dev/shm/calisto-batchtest-" + ProcessHandle.current().pid());
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directoryName()));
    }

    @AfterEach
    void stop() {
        aeron.close();
        driver.close();
    }

    private void startKernel(boolean batching) {
        Streams streams = new Streams("aeron:ipc?term-length=65536|mtu=4096");
        kernel = new IoKernel(new OneBurstPort(), new Toeplitz(Toeplitz.MICROSOFT_KEY), 32, 2048, new int[] {0, 1}, 5_000);
        kernel.batching(batching);
        app = new AppDispatch(0, "batch", MatchRule.parse("dst-port=7"), "modulo", 16, FlowTable.NEVER,
            aeron.addSubscription(streams.channel(), Streams.txStreamId(0)), 0);
        app.guaranteed = 2;
        app.burstable = 2;
        for (int core = 0; core < 2; core++) {
            subs[core] = aeron.addSubscription(streams.channel(), Streams.rxStreamId(0, core));
            ExclusivePublication pub = aeron.addExclusivePublication(streams.channel(), Streams.rxStreamId(0, core));
            // the subscription's image must exist before anything is published: an IPC image joins at the current position
            while (!pub.isConnected() || subs[core].imageCount() == 0) Thread.onSpinWait();
            app.attach(core, pub, CoreSlot.onHeap());
        }
        app.policy(new Scripted());
        IoKernelProxy io = new IoKernelProxy(kernel);
        CompletableFuture<Void> added = io.addApp(app);
        CompletableFuture<Void> on = io.setRx(true);
        while (!added.isDone() || !on.isDone()) kernel.doWork();
    }

    /** Polls every core stream and walks each fragment's frames exactly as CoreActor does. */
    private List<Seen> consume() {
        List<Seen> seen = new ArrayList<>();
        for (int core = 0; core < 2; core++) {
            int c = core;
            int[] fragments = {0};
            long until = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < until) {
                subs[core].poll((buffer, offset, length, header) -> {
                    long end = header.position();
                    for (int at = 0; at < length; ) {
                        int next = at + FrameLayout.alignedLength(FrameLayout.length(buffer, offset + at));
                        seen.add(new Seen(c, fragments[0], FrameLayout.rss(buffer, offset + at), FrameLayout.barrierCore(buffer, offset + at),
                            FrameLayout.barrierPosition(buffer, offset + at), FrameLayout.subFramePosition(end, length, next)));
                        at = next;
                    }
                    fragments[0]++;
                }, 100);
                if (subs[core].imageAtIndex(0).position() == app.published[core]) break;
            }
        }
        return seen;
    }

    /**
     * Replies on the app's TX stream count only under the RX session of the core they name (what a core-actor
     * publishes with): a frame of another session (an earlier holder of the app id), one naming a core whose session
     * it does not have, and one whose length overruns its fragment are refused as bad-reply.
     */
    @Test
    void repliesAreTakenOnlyUnderTheSessionOfTheCoreTheyName() throws InterruptedException {
        startKernel(true);
        String channel = "aeron:ipc?term-length=65536|mtu=4096";
        try (ExclusivePublication core0 = aeron.addExclusivePublication(channel + "|session-id=" + app.rxByCore(0).sessionId(), Streams.txStreamId(0));
             ExclusivePublication stranger = aeron.addExclusivePublication(channel, Streams.txStreamId(0))) {
            while (app.tx.imageCount() < 2) kernel.doWork();
            UnsafeBuffer f = new UnsafeBuffer(new byte[FrameLayout.HEADER_LENGTH + 60]);
            FrameLayout.writeHeader(f, 0, 1, 0, System.nanoTime(), 60, 0);
            offer(core0, f); // the one good reply
            offer(stranger, f);
            FrameLayout.writeHeader(f, 0, 1, 0, System.nanoTime(), 60, 1);
            offer(core0, f); // core 1's session is not core 0's
            FrameLayout.writeHeader(f, 0, 1, 0, System.nanoTime(), 5000, 0);
            offer(core0, f); // its length claims more than the fragment holds
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((kernel.dropped(DropReason.BAD_REPLY) < 3 || kernel.transmitted() < 1) && System.nanoTime() < deadline) kernel.doWork();
        }
        assertEquals(3, kernel.dropped(DropReason.BAD_REPLY));
        assertEquals(1, kernel.replies());
        assertEquals(1, kernel.transmitted());
    }

    private static void offer(ExclusivePublication pub, UnsafeBuffer frame) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pub.offer(frame, 0, frame.capacity()) < 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("could not offer a reply frame");
            Thread.sleep(1);
        }
    }

    @Test
    void consecutivePacketsForOneCoreShareAClaimAndEachKeepsItsOwnPosition() {
        startKernel(true);
        kernel.doWork();
        List<Seen> seen = consume();
        // runs: core 0 [10, 11], core 1 [12, 10, 13], core 0 [11]: three claims, not six
        assertEquals(List.of("0/0:10", "0/0:11", "0/1:11", "1/0:12", "1/0:10", "1/0:13"),
            seen.stream().map(s -> s.core() + "/" + s.fragment() + ":" + s.hash()).toList());
        Seen first10 = seen.get(0), moved10 = seen.get(4), last11 = seen.get(2), first11 = seen.get(1);
        // flow 10 moved from core 0 to core 1 while core 0 had not completed it: the barrier names that very packet,
        // the first frame of core 0's first batch, not the batch's end
        assertEquals(0, moved10.barrierCore());
        assertEquals(first10.position(), moved10.barrierPosition());
        assertNotEquals(first11.position(), moved10.barrierPosition());
        // flow 11 went back to core 0 in a later claim: same core, no barrier
        assertEquals(FrameLayout.NO_BARRIER, last11.barrierCore());
        // positions rise frame by frame, and the last frame of each core ends where the IO core says it published
        assertEquals(List.of(true, true), List.of(first10.position() < first11.position(), first11.position() < last11.position()));
        assertEquals(app.published[0], last11.position());
        assertEquals(app.published[1], seen.get(5).position());
        // counts: once per burst, complete when the burst is done
        assertEquals(3, app.dispatched(0));
        assertEquals(3, app.dispatched(1));
        assertEquals(HASHES.length, kernel.received());
    }

    @Test
    void withoutBatchingEveryPacketIsAClaimOfItsOwn() {
        startKernel(false);
        kernel.doWork();
        List<Seen> seen = consume();
        assertEquals(List.of("0/0:10", "0/1:11", "0/2:11", "1/0:12", "1/1:10", "1/2:13"),
            seen.stream().map(s -> s.core() + "/" + s.fragment() + ":" + s.hash()).toList());
        assertEquals(seen.get(0).position(), seen.get(4).barrierPosition());
    }

    /** Sends each packet to the next core of {@link #CORES}, whatever its hash. */
    static final class Scripted implements DispatchPolicy {
        private int next;

        @Override
        public int coreFor(int rssHash, long nowNanos) { return CORES[next++ % CORES.length]; }

        @Override
        public String name() { return "scripted"; }
    }

    /** One burst of {@link #HASHES}.length UDP frames to port 7, each carrying its flow's hash as the NIC's. */
    static final class OneBurstPort implements PacketPort {
        private final SyntheticPort frames = new SyntheticPort(SyntheticConfig.withOverrides(Map.of("flows", 1, "rate", 0, "packet-bytes", 100)));
        private boolean sent;

        @Override
        public String name() { return "one-burst"; }

        @Override
        public int receive(RxBatch batch, long nowNanos) {
            if (sent) {
                batch.count(0);
                return 0;
            }
            sent = true;
            RxBatch one = new RxBatch(1);
            frames.receive(one, nowNanos);
            for (int i = 0; i < HASHES.length; i++) {
                UnsafeBuffer f = batch.ownedFrame(i);
                f.putBytes(0, one.frame(0), 0, one.length(0));
                batch.set(i, one.length(0), nowNanos, true, HASHES[i]);
            }
            batch.count(HASHES.length);
            return HASHES.length;
        }

        @Override
        public int transmit(TxBatch batch) { return batch.count(); }

        @Override
        public boolean exhausted() { return sent; }

        @Override
        public void close() {}
    }
}
