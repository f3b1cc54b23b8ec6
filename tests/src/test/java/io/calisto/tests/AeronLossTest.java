package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dataplane's Aeron client closes itself (its conductor stalled past the liveness timeout) while a core-actor
 * is inside its handler, reading the packet: the JVM must not crash. With {@code calisto.aeron.close-linger = 0}
 * (Aeron's default, the behaviour before AeronLoss) the buffers are unmapped under the handler and this JVM died of
 * SIGSEGV (exit 134, an hs_err file); with the default linger the handler finishes, the dataplane reports the loss
 * in one line, removes its directory, and the owner exits 3.
 */
class AeronLossTest {
    @Test
    void aClientThatClosesItselfUnderAPollingCoreActorEndsInAnOrderlyStop() throws Exception {
        Process p = RemoteManagementTest.java(AeronLossMain.class, "5s");
        // read while it runs: its log fills the pipe otherwise, and it blocks writing
        var read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        boolean stopped = p.waitFor(90, TimeUnit.SECONDS);
        if (!stopped) p.destroyForcibly().waitFor();
        String out = read.get(10, TimeUnit.SECONDS);
        assertTrue(stopped, "the dataplane did not stop:\n" + out);
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("lost: Aeron client closed itself (its conductor stalled or the media driver stopped answering)"), out);
        assertEquals(1, out.lines().filter(l -> l.contains("Aeron client closed itself")).filter(l -> !l.startsWith("lost: ")).count(),
            "one logged line:\n" + out);
        assertTrue(out.contains("handler read its packet after the client closed: true"), out);
        assertTrue(out.contains("directory removed: true"), out);
    }
}
