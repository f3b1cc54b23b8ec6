package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code bench grant}'s refusals: one line, exit 2, before any dataplane starts. */
class GrantBenchCliTest {

    @Test
    void aPriorityOutOfRangeIsOneLine() {
        CliTest.Result r = CliTest.cli("bench", "grant", "--realtime-priority", "100");
        assertEquals(2, r.code(), r.err());
        assertEquals("calisto: --realtime-priority must be in 0..99 (0: off), was 100", r.err().strip());
    }

    @Test
    void withoutThePrivilegeItSaysHowToRunIt() throws Exception {
        // as a user without CAP_SYS_NICE and with ulimit -r 0 would run it (root keeps reading the class path)
        Assumptions.assumeTrue(new ProcessBuilder("which", "setpriv").start().waitFor() == 0, "setpriv (util-linux) is not installed");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-sys_nice", "--inh-caps=-sys_nice", "--", "sh", "-c", "ulimit -r 0; exec \"$@\"", "sh"));
        cmd.addAll(ServeProcess.cli("bench", "grant", "--seconds", "1"));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes()), err = new String(p.getErrorStream().readAllBytes());
        assertEquals(2, p.waitFor(), out + err);
        assertEquals("calisto: bench grant runs the core-actors and the floor's thread SCHED_FIFO at --realtime-priority 10, which this process may not "
            + "(it needs root, CAP_SYS_NICE or ulimit -r 10); run it so, or with --realtime-priority 0 to measure both as ordinary threads", err.strip());
    }
}
