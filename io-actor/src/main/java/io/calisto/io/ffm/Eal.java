package io.calisto.io.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;

import io.calisto.aeron.OnThread;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rte_eal_init} may run once per process. The first caller's arguments win; later callers with other
 * arguments get a clear error instead of a second init. It runs on a short-lived thread because EAL pins the
 * calling thread to the main lcore; the IO thread stays a non-EAL thread (no mempool cache, which we do not use).
 */
public final class Eal {
    public static final String SUPPORTED = "DPDK 22.11";
    private static List<String> initArgs;

    private Eal() {}

    public static synchronized void init(List<String> args) { init(args, ""); }

    /**
     * As {@link #init(List)}, with the init thread first entering network namespace {@code netns} (empty: stay):
     * vdevs probed during init (af_packet) then open their sockets in that namespace.
     */
    public static synchronized void init(List<String> args, String netns) {
        checkArgs(args);
        if (!Dpdk.available()) throw new DpdkException(Dpdk.unavailableReason());
        if (initArgs != null) {
            if (!initArgs.equals(args)) throw new DpdkException("DPDK EAL is already initialised in this process with " + initArgs + "; it cannot be re-initialised with " + args);
            return;
        }
        String version = Dpdk.version();
        if (!version.startsWith(SUPPORTED)) {
            throw new DpdkException(version + " is not supported: the struct offsets used here are verified for " + SUPPORTED);
        }
        boolean logsAsked = args.stream().anyMatch(a -> a.startsWith("--log-level"));
        List<String> argv = new ArrayList<>();
        argv.add("calisto");
        argv.addAll(args);
        // DPDK's own log lines at error only, unless the arguments choose a level
        if (!logsAsked) argv.add(QUIET);
        int[] errno = new int[1];
        int rc;
        // EAL prints usage, getopt complaints and log lines on fd 1/2: kept aside, shown only when they are wanted
        StdioCapture capture = StdioCapture.start();
        try {
            // EAL init pins the calling thread and (with a netns) must run inside the namespace: a throwaway thread
            rc = OnThread.call("calisto-eal-init", () -> {
                if (!netns.isEmpty()) NetNs.enter(netns);
                Arena arena = Arena.global();
                MemorySegment array = arena.allocate(ADDRESS, argv.size() + 1);
                for (int i = 0; i < argv.size(); i++) array.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
                try {
                    int r = (int) Dpdk.EAL_INIT.invokeExact(argv.size(), array);
                    if (r < 0) errno[0] = Dpdk.errno();
                    return r;
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            capture.close();
        }
        String output = capture.text();
        if (rc < 0) {
            if (logsAsked) System.err.print(output);
            throw new DpdkException("DPDK EAL init failed: " + reason(output, errno[0]) + " (args " + args + ")");
        }
        // a successful init with the quiet default printed only what is at error level (or not EAL's): show it
        System.err.print(output);
        System.err.flush();
        initArgs = List.copyOf(args);
    }

    /** EAL's info lines, printed before the log level is parsed (an unknown option stops that parse early). */
    private static final java.util.regex.Pattern INFO = java.util.regex.Pattern.compile(
        "Detected |Selected |Multi-process socket|RTE Version|Physical addresses are unavailable|No free |No available |Probe PCI");

    /** The log level added when the EAL arguments set none: DPDK's lib.* logs (EAL's among them) at error only. */
    public static final String QUIET = "--log-level=lib.*:error";

    /**
     * Refuses, in one line naming the setting, arguments EAL must not see: none at all, or a help/version flag (EAL
     * prints its usage and ends the process with exit code 0 on {@code -h}).
     */
    public static void checkArgs(List<String> args) {
        if (args.stream().allMatch(String::isBlank)) {
            throw new IllegalArgumentException("calisto.dpdk.eal-args (--eal) is empty: give EAL's arguments, e.g. \"-l 0 --no-huge -m 256 --no-pci --no-shconf --vdev=net_null0\"");
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.startsWith("--help=") || a.equals("-v") || a.equals("--version")) {
                throw new IllegalArgumentException("calisto.dpdk.eal-args (--eal) has " + a + ": EAL's help and version flags are refused (-h prints "
                    + "EAL's usage and ends the process); dpdk-testpmd -h shows EAL's options");
            }
        }
    }

    /**
     * Why init failed, in one line: EAL's own error lines from {@code output} (the first two that are not its
     * generic "Invalid 'command line' arguments"), else {@code rte_strerror}; with a hint where one is known.
     */
    static String reason(String output, int errno) {
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\\R")) {
            String l = line.strip();
            if (l.startsWith("EAL: ")) l = l.substring(5);
            else if (l.startsWith("calisto: ")) l = l.substring(9); // getopt, named after argv[0]
            else continue;
            if (l.isEmpty() || l.startsWith("FATAL") || l.contains("Invalid 'command line' arguments") || INFO.matcher(l).lookingAt() || lines.contains(l)) continue;
            lines.add(l.replaceAll("[.]$", ""));
            if (lines.size() == 2) break;
        }
        String why = Dpdk.strerror(errno);
        String text = lines.isEmpty() ? why : String.join("; ", lines) + " (" + why + ")";
        if ((errno == 13 || errno == 1) && !root()) text += " (DPDK needs root here)";
        else if (output.contains("Cannot get hugepage information")) text += " (no hugepages here: add --no-huge -m 256)";
        return text;
    }

    private static boolean root() {
        try {
            return ((Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    public static synchronized boolean initialised() { return initArgs != null; }
}
