package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, part 4: a hang at shutdown ends in a bounded, named exit. The echo app's handler here never returns (a
 * service time of 1000 s), so its core-actors cannot stop; without the watchdog this run took about 50 s to end, with
 * exit code 1. With it: one line naming the core-actors, exit code 3, and the run's Aeron directory removed.
 */
class ShutdownWatchdogTest {
    @Test
    void aComponentThatDoesNotStopEndsTheProcessWithCodeThreeAndOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("hang.conf");
        Files.writeString(conf, "calisto.demo.service-time-ns = 1000000000000\ncalisto.run.drain-timeout = 1s\ncalisto.shutdown.timeout = 4s\n");
        var r = ConfigRefusalTest.process(List.of("run", "--duration", "1s", "--rate", "1000", "--cores", "1", "--config", conf.toString()));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("== summary (port synthetic) =="), r.out());
        List<String> watchdog = r.err().lines().filter(l -> l.startsWith("calisto: shutdown watchdog")).toList();
        assertEquals(List.of("calisto: shutdown watchdog: the core-actors of app echo did not stop within 5s of the stop"
            + " (calisto.run.drain-timeout + calisto.shutdown.timeout); exiting with code 3"), watchdog, r.err());
        assertEquals(java.util.Set.of(), r.newShmOfChild(), "the run's Aeron directory was left behind");
    }

    @Test
    void aShutdownThatEndsInTimeExitsAsBefore() throws Exception {
        var r = ConfigRefusalTest.process(List.of("run", "--duration", "1s", "--rate", "1000"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(r.err().contains("shutdown watchdog"), r.err());
        assertTrue(r.out().contains("unaccounted  0"), r.out());
    }
}
