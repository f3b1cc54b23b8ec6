package io.calisto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run's pool and burstable limit follow the CPUs left after the IO core unless configured; a configured value wins. */
class CoreDefaultsTest {
    @TempDir Path dir;

    private static String resolved(Settings settings, int cpus) {
        Config c = CoreDefaults.resolve(settings.load(), cpus);
        return "pool " + c.getIntList(CoreDefaults.POOL) + " guaranteed " + c.getInt(CoreDefaults.GUARANTEED) + " burstable " + c.getInt(CoreDefaults.BURSTABLE);
    }

    @Test
    void theDefaultPoolAndBurstableAreTheCpusLeftAfterTheIoCoreAtLeastOne() {
        assertEquals("pool [0] guaranteed 1 burstable 1", resolved(new Settings(), 1));
        assertEquals("pool [0] guaranteed 1 burstable 1", resolved(new Settings(), 2));
        assertEquals("pool [0, 1, 2] guaranteed 1 burstable 3", resolved(new Settings(), 4));
        assertEquals("pool [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] guaranteed 1 burstable 15", resolved(new Settings(), 16));
    }

    @Test
    void aConfiguredPoolOrBurstableWinsAndCoresGrowsThePoolToWhatItAsks() {
        // an explicit pool, even one equal to reference.conf's: kept; burstable follows its size
        assertEquals("pool [0, 1, 2, 3, 4, 5, 6, 7] guaranteed 1 burstable 8",
            resolved(new Settings().set(CoreDefaults.POOL, List.of(0, 1, 2, 3, 4, 5, 6, 7)), 2));
        // an explicit burstable: kept, the pool still follows the CPUs
        assertEquals("pool [0, 1, 2] guaranteed 1 burstable 2", resolved(new Settings().set(CoreDefaults.BURSTABLE, 2), 4));
        // --cores 4 (guaranteed = burstable = 4) on 2 CPUs: the user asked for 4 cores, the pool holds them
        assertEquals("pool [0, 1, 2, 3] guaranteed 4 burstable 4",
            resolved(new Settings().set(CoreDefaults.GUARANTEED, 4).set(CoreDefaults.BURSTABLE, 4), 2));
        // --cores 1 on 8 CPUs: the pool still follows the CPUs, the app is pinned to 1
        assertEquals("pool [0, 1, 2, 3, 4, 5, 6] guaranteed 1 burstable 1",
            resolved(new Settings().set(CoreDefaults.GUARANTEED, 1).set(CoreDefaults.BURSTABLE, 1), 8));
    }

    @Test
    void aPoolInAConfigFileWins() throws Exception {
        Path file = Files.writeString(dir.resolve("c.conf"), "calisto.cores.pool = [0, 1]\n");
        assertEquals("pool [0, 1] guaranteed 1 burstable 2", resolved(new Settings().file(file.toFile()), 8));
    }
}
