package io.calisto.core.remote;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.calisto.core.remote.ControlMessage.RemoteCoreEvent;
import io.calisto.core.remote.ControlMessage.Reply;
import io.calisto.core.remote.ControlMessage.Request;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request/reply half of an app in another JVM: blocking calls matched to their answers by correlation id, and
 * the app's core events handed to a consumer, both read by one thread from the response stream that every remote
 * app shares (messages for other apps are skipped). Control path only: nothing here runs per packet.
 */
public final class ControlClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlClient.class);
    private final Publication requests;
    private final Subscription responses;
    private final int appId;
    private final ControlCodec encoder = new ControlCodec();
    private final ControlCodec decoder = new ControlCodec();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private final Map<Long, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    private final Thread poller;
    private volatile Consumer<RemoteCoreEvent> events;
    private volatile Duration timeout;
    private volatile boolean running = true;

    /** Takes over {@code responses} (closed with this client); {@code requests} stays the caller's. */
    public ControlClient(Publication requests, Subscription responses, int appId, Duration timeout) {
        this.requests = requests;
        this.responses = responses;
        this.appId = appId;
        this.timeout = timeout;
        this.poller = Thread.ofPlatform().daemon().name("calisto-control-" + appId).start(this::poll);
    }

    public int appId() { return appId; }

    /** How long a call waits for its answer before it throws. */
    public void timeout(Duration timeout) { this.timeout = timeout; }

    /**
     * Sends the request built from a fresh correlation id and waits for its answer.
     *
     * @throws IllegalStateException if no answer came within the timeout ({@code what} names the call)
     */
    public Reply call(String what, LongFunction<? extends Request> request) {
        long correlation = correlations.incrementAndGet();
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        waiting.put(correlation, answer);
        Duration limit = timeout;
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            send(what, request.apply(correlation), deadline, limit);
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw noAnswer(what, limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " of app " + appId + " interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " of app " + appId + " failed: " + e.getCause());
        } finally {
            waiting.remove(correlation);
        }
    }

    /** Events of this app go to {@code consumer} (on the client's thread, in order; keep it short), or nowhere if null. */
    public void events(Consumer<RemoteCoreEvent> consumer) { this.events = consumer; }

    private void send(String what, Request request, long deadline, Duration limit) {
        while (true) {
            long result;
            synchronized (encoder) {
                var frame = encoder.encode(request);
                result = requests.offer(frame, 0, frame.capacity());
            }
            if (result >= 0) return;
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("the control stream of app " + appId + " is closed");
            }
            if (System.nanoTime() > deadline) throw noAnswer(what, limit);
            sleep();
        }
    }

    private IllegalStateException noAnswer(String what, Duration limit) {
        return new IllegalStateException("no answer from the dataplane to " + what + " of app " + appId + " within "
            + limit.toMillis() + " ms");
    }

    private void poll() {
        while (running && !Thread.currentThread().isInterrupted()) {
            try {
                if (responses.poll(assembler, 16) == 0) sleep();
            } catch (RuntimeException e) {
                if (running) LOG.warn("control stream of app {}: {}", appId, e.toString());
            }
        }
    }

    private void onMessage(DirectBuffer buffer, int offset, int length, Header header) {
        ControlMessage m;
        try {
            m = decoder.decode(buffer, offset, length);
        } catch (RuntimeException e) {
            LOG.warn("undecodable control message ({} bytes) skipped: {}", length, e.getMessage());
            return;
        }
        switch (m) {
            case Reply r when r.appId() == appId -> {
                CompletableFuture<Reply> f = waiting.get(r.correlation());
                if (f != null) f.complete(r);
            }
            case RemoteCoreEvent e when e.appId() == appId -> {
                Consumer<RemoteCoreEvent> c = events;
                if (c == null) return;
                try {
                    c.accept(e);
                } catch (RuntimeException ex) {
                    LOG.warn("event consumer of app {} failed on {}: {}", appId, e, ex.toString());
                }
            }
            default -> { /* another app's answer or event, or registration traffic */ }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        responses.close();
    }

    private static void sleep() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
