package io.calisto.aeron.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.aeron.OnThread;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** sched_setscheduler through FFM: the kernel's own view of the thread (/proc/thread-self/stat) agrees. */
class RealtimePriorityTest {

    /** Fields 40 (rt_priority) and 41 (policy) of /proc/thread-self/stat, counted after the command's closing paren. */
    static int[] priorityAndPolicy() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): field n is f[n - 3]
            return new int[] {Integer.parseInt(f[40 - 3]), Integer.parseInt(f[41 - 3])};
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aThreadBecomesFifoAtThePriorityAndBackToOrdinaryAtZero() {
        Assumptions.assumeTrue(RealtimePriority.permitted(1), "this process may not use SCHED_FIFO (not root, no CAP_SYS_NICE, ulimit -r 0)");
        int[][] seen = OnThread.call("rt-test", () -> {
            int[] before = priorityAndPolicy();
            RealtimePriority.set(7, "test");
            int[] fifo = priorityAndPolicy();
            boolean isFifo = RealtimePriority.isFifo();
            RealtimePriority.set(0, "test");
            return new int[][] {before, fifo, {isFifo ? 1 : 0}, priorityAndPolicy(), {RealtimePriority.isFifo() ? 1 : 0}};
        });
        assertEquals(0, seen[0][1], "SCHED_OTHER before");
        assertEquals(7, seen[1][0], "rt_priority");
        assertEquals(RealtimePriority.SCHED_FIFO, seen[1][1], "policy");
        assertEquals(1, seen[2][0]);
        assertEquals(0, seen[3][0]);
        assertEquals(RealtimePriority.SCHED_OTHER, seen[3][1]);
        assertEquals(0, seen[4][0]);
        assertFalse(RealtimePriority.isFifo(), "the caller's thread is untouched");
    }

    @Test
    void outOfRangeIsOneLineNamingTheSetting() {
        var e = assertThrows(IllegalArgumentException.class, () -> RealtimePriority.set(100, "calisto.core.realtime-priority"));
        assertEquals("calisto.core.realtime-priority must be in 0..99 (0: off), was 100", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RealtimePriority.check(-1, "x"));
    }

    @Test
    void withoutThePrivilegeTheErrorSaysWhatIsMissing() throws Exception {
        // a child without CAP_SYS_NICE and with RLIMIT_RTPRIO 0: an ordinary user's process, but its class path stays readable
        Assumptions.assumeTrue(new ProcessBuilder("which", "setpriv").start().waitFor() == 0, "setpriv (util-linux) is not installed");
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")));
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder("setpriv", "--bounding-set=-sys_nice", "--inh-caps=-sys_nice", "--",
            "sh", "-c", "ulimit -r 0; exec \"$0\" --enable-native-access=ALL-UNNAMED -cp \"$1\" \"$2\"",
            java, System.getProperty("java.class.path"), Probe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("calisto.core.realtime-priority = 10: sched_setscheduler(SCHED_FIFO) failed with errno 1 (not permitted: it needs root, "
            + "CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 10, ulimit -r; 0 turns it off)"), out);
    }

    /** Run by the unprivileged child: prints the refusal's message. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                RealtimePriority.check(10, "calisto.core.realtime-priority");
                System.out.println("no refusal");
            } catch (IllegalArgumentException e) {
                System.out.println(e.getMessage());
            }
        }
    }

}
