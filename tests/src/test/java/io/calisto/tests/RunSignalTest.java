package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.agrona.IoUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SIGTERM and SIGINT on {@code run}: drain, summary, Aeron directory removed, exit 0 (was 143/130 and no summary). */
class RunSignalTest {
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalDrainsPrintsTheSummaryCleansUpAndExitsZero(String signal) throws Exception {
        Process p = new ProcessBuilder(ServeProcess.cli("run", "--duration", "60s", "--rate", "20000")).redirectErrorStream(true).start();
        Path aeronDir = Path.of("/dev/shm/calisto-" + p.pid());
        StringBuffer out = new StringBuffer();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
            } catch (java.io.IOException ignored) {
                // gone
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!out.toString().contains("[  1s] rx ") && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(out.toString().contains("[  1s] rx "), "no progress line:\n" + out);
            assertTrue(Files.exists(aeronDir), aeronDir + " while running");
            if (signal.equals("TERM")) {
                p.toHandle().destroy(); // SIGTERM
            } else {
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after SIG" + signal + ":\n" + out);
            reader.join(10_000);
            assertEquals(0, p.exitValue(), out.toString());
            assertTrue(out.toString().contains("calisto run: stopping (SIG" + signal + ")"), out.toString());
            assertTrue(out.toString().contains("== summary (port synthetic) =="), out.toString());
            assertTrue(out.toString().contains("unaccounted  0"), out.toString());
            assertFalse(out.toString().contains("[ 30s]"), "stopped early, not at --duration:\n" + out);
            assertFalse(Files.exists(aeronDir), aeronDir + " left behind");
        } finally {
            if (p.isAlive()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (Files.exists(aeronDir)) IoUtil.delete(aeronDir.toFile(), true);
        }
    }
}
