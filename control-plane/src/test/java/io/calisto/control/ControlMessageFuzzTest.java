package io.calisto.control;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.typesafe.config.ConfigFactory;
import io.calisto.core.serial.KryoSerializer;
import java.io.NotSerializableException;
import java.lang.management.ManagementFactory;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;

/**
 * The control-message serializer ({@link KryoSerializer}, every id of core-actors and control-plane registered) on
 * arbitrary bytes from a peer. Contract: a message, or a {@link NotSerializableException} with a message; never another
 * throwable (no OutOfMemoryError, no StackOverflowError), and what one message allocates is bounded by its size
 * ({@link #allowedBytes}): a 16-byte message whose array claims 400,000,000 elements must be refused before it allocates.
 * Seeds (real messages) and findings: {@code ControlMessageFuzzTestInputs/}; README, "Fuzzing".
 */
class ControlMessageFuzzTest {
    private static final ActorSystem<Void> SYSTEM = ActorSystem.create(Behaviors.empty(), "fuzz",
        ConfigFactory.parseString("pekko.loglevel = OFF").withFallback(ConfigFactory.load()));
    private static final KryoSerializer SERIALIZER = new KryoSerializer((ExtendedActorSystem) Adapter.toClassic(SYSTEM));
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        try {
            SERIALIZER.fromBinary(SERIALIZER.toBinary(new Management.Done("warm-up")), ""); // the pooled Kryo is built once
        } catch (NotSerializableException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() { SYSTEM.terminate(); }

    /** A decoded object holds at most a few dozen bytes per input byte (a String's chars, a boxed element and its slot). */
    static long allowedBytes(int messageBytes) { return (1 << 20) + 64L * messageBytes; }

    @FuzzTest(maxDuration = "10s")
    void decodesOrRefusesWithinABoundedAllocation(byte[] message) {
        long allocated = decode(message);
        // the first message of a class also pays for loading it and building its Kryo serializer: only a repeat counts
        if (allocated > allowedBytes(message.length)) allocated = decode(message);
        assertTrue(allocated <= allowedBytes(message.length), "a " + message.length + "-byte message allocated " + allocated + " bytes");
    }

    /** Decodes {@code message}, checks the outcome, and returns the bytes this thread allocated doing it. */
    private static long decode(byte[] message) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            SERIALIZER.fromBinary(message, "");
        } catch (NotSerializableException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "refused without a message");
        } catch (Throwable t) {
            fail("not a clean refusal: " + t, t);
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
