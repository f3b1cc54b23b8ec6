package io.calisto.io.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** EAL arguments checked before rte_eal_init, and a failing init's output turned into one reason (no DPDK needed). */
class EalArgsTest {
    @Test
    void helpAndVersionFlagsAndNoArgumentsAreRefused() {
        for (String flag : List.of("-h", "--help", "-v", "--version")) {
            var e = assertThrows(IllegalArgumentException.class, () -> Eal.checkArgs(List.of("-l", "0", flag, "--no-huge")));
            assertEquals("calisto.dpdk.eal-args (--eal) has " + flag + ": EAL's help and version flags are refused (-h prints EAL's usage and ends"
                + " the process); dpdk-testpmd -h shows EAL's options", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Eal.checkArgs(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Eal.checkArgs(List.of("", " ")));
        Eal.checkArgs(List.of("-l", "0", "--no-huge", "-m", "256", "--vdev=net_null0", "--log-level=lib.eal:debug"));
    }

    @Test
    void aFailingInitIsEalsOwnReasonWithoutItsUsageOrInfoLines() {
        String output = """
            EAL: Detected CPU lcores: 2
            EAL: Detected NUMA nodes: 1
            EAL: lcore 99 unavailable
            EAL: invalid core list, please check specified cores are part of 0-1

            Usage: calisto [options]

            EAL common options:
              -c COREMASK         Hexadecimal bitmask of cores to run on
            EAL: FATAL: Invalid 'command line' arguments.
            EAL: Invalid 'command line' arguments.
            """;
        String einval = Dpdk.strerror(22); // rte_strerror's text ("Invalid argument"), "errno 22" without DPDK
        assertEquals("lcore 99 unavailable; invalid core list, please check specified cores are part of 0-1 (" + einval + ")", Eal.reason(output, 22));
        assertEquals("unrecognized option '--bogus' (" + einval + ")", Eal.reason("calisto: unrecognized option '--bogus'\nEAL: Detected CPU lcores: 2\n", 22));
        assertEquals("Cannot get hugepage information (" + Dpdk.strerror(12) + ") (no hugepages here: add --no-huge -m 256)",
            Eal.reason("EAL: FATAL: Cannot get hugepage information.\nEAL: Cannot get hugepage information.\n", 12));
    }
}
