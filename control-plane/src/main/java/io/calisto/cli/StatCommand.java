package io.calisto.cli;

import com.typesafe.config.Config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calisto.control.stat.CounterSnapshot;
import io.calisto.control.stat.StatReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code calisto stat}: a running dataplane's live counters, read from outside its process through the Aeron
 * counters file of its Aeron directory (see {@link StatReader}); nothing connects to the dataplane.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show a running dataplane's counters (port, and per app and core), read from its Aeron counters file.")
public final class StatCommand implements Callable<Integer> {
    static final Path SHM = Path.of("/dev/shm");
    static final String DIR_PREFIX = "calisto-";

    @Spec CommandSpec spec;

    @Option(names = "--aeron-dir", description = "Aeron directory of the dataplane (default: calisto.aeron.dir; when that is empty, "
        + "the one /dev/shm/calisto-<pid> of a live process).")
    String aeronDir;

    @Option(names = "--once", description = "Print one snapshot and exit.")
    boolean once;

    @Option(names = "--interval", description = "Print a snapshot this often until Ctrl-C or until the dataplane stops (default: 1s).")
    String interval;

    @Option(names = "--format", defaultValue = "table", description = "table | json (json: one object per snapshot, one per line; default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--config", description = "HOCON file layered over the defaults (for calisto.aeron.dir).")
    File configFile;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (!format.equals("table") && !format.equals("json")) throw new UserError("--format must be table or json, was '" + format + "'");
        if (once && interval != null) throw new UserError("--once and --interval exclude each other");
        Duration every = interval == null ? Duration.ofSeconds(1) : Settings.duration("--interval", interval);
        Config config = new Settings().file(configFile).load();
        Path dir = aeronDir != null ? Path.of(aeronDir)
            : defaultDir(config.getString("calisto.aeron.dir"), Path.of(config.getString("calisto.serve.aeron-dir")), SHM);
        PrintWriter out = spec.commandLine().getOut();
        try (StatReader reader = open(dir)) {
            while (true) {
                print(out, reader.read());
                if (once) return 0;
                Thread.sleep(every.toMillis(), every.toNanosPart() % 1_000_000);
                if (!reader.alive()) {
                    spec.commandLine().getErr().println("calisto: the dataplane at " + dir + " stopped");
                    spec.commandLine().getErr().flush();
                    return 0;
                }
                if (format.equals("table")) out.println();
            }
        }
    }

    private static StatReader open(Path dir) {
        try {
            return StatReader.open(dir);
        } catch (StatReader.NoDataplane e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * {@code configured} when set; else the one live dataplane among {@code serveDir} ({@code calisto serve}'s
     * default) and the directories {@code run}'s default gives ({@code ROOT/calisto-<pid>} of a live process), each
     * holding a cnc file. None: the one-line no-dataplane error; several: name one.
     */
    public static Path defaultDir(String configured, Path serveDir, Path root) {
        if (!configured.isEmpty()) return Path.of(configured);
        List<Path> live = new ArrayList<>();
        if (Files.isRegularFile(serveDir.resolve("cnc.dat"))) live.add(serveDir);
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> live(p)).sorted().forEach(live::add);
        } catch (IOException e) {
            // no such root: nothing runs here
        }
        if (live.isEmpty()) throw new UserError("no dataplane at " + serveDir + " or " + root.resolve(DIR_PREFIX + "<pid>") + " (no cnc.dat)");
        if (live.size() > 1) {
            throw new UserError(live.size() + " dataplanes run here (" + String.join(", ", live.stream().map(Path::toString).toList())
                + "): name one with --aeron-dir");
        }
        return live.get(0);
    }

    /** {@code calisto-<pid>} of a live process, holding a cnc file. */
    private static boolean live(Path p) {
        String name = p.getFileName().toString();
        if (!name.startsWith(DIR_PREFIX) || !Files.isRegularFile(p.resolve("cnc.dat"))) return false;
        try {
            long pid = Long.parseLong(name.substring(DIR_PREFIX.length()));
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void print(PrintWriter out, CounterSnapshot s) throws JsonProcessingException {
        if (format.equals("json")) out.println(json.writeValueAsString(s));
        else table(out, s);
        out.flush();
    }

    static void table(PrintWriter out, CounterSnapshot s) {
        var p = s.port();
        out.println("port  rx " + p.rx() + "  tx " + p.tx() + "  replies " + p.replies() + "  drops " + drops(p.drops()));
        if (s.apps().isEmpty()) {
            out.println("no app registered");
            return;
        }
        List<String[]> cores = new ArrayList<>();
        cores.add(new String[] {"app", "id", "core", "state", "dispatched", "delivered", "queued"});
        List<String[]> apps = new ArrayList<>();
        apps.add(new String[] {"app", "id", "grants", "yields", "preemptions", "revokes", "flows", "expired", "fallbacks", "migrations", "drops"});
        for (CounterSnapshot.App a : s.apps()) {
            for (CounterSnapshot.Core c : a.cores()) {
                cores.add(new String[] {a.name(), "" + a.id(), "" + c.core(), c.state(), "" + c.dispatched(), "" + c.delivered(), "" + c.queued()});
            }
            apps.add(new String[] {a.name(), "" + a.id(), "" + a.grants(), "" + a.yields(), "" + a.preemptions(), "" + a.revokes(),
                "" + a.flows(), "" + a.expired(), "" + a.fallbacks(), a.migrations() < 0 ? "off" : "" + a.migrations(), drops(a.drops())});
        }
        columns(out, cores);
        columns(out, apps);
    }

    /** The reasons that dropped anything, {@code reason=n} separated by spaces, or {@code none}. */
    private static String drops(Map<String, Long> drops) {
        StringBuilder b = new StringBuilder();
        drops.forEach((r, n) -> {
            if (n != 0) b.append(b.isEmpty() ? "" : " ").append(r).append('=').append(n);
        });
        return b.isEmpty() ? "none" : b.toString();
    }

    /** Left-aligned text, right-aligned numbers. */
    private static void columns(PrintWriter out, List<String[]> rows) {
        int n = rows.get(0).length;
        int[] width = new int[n];
        for (String[] r : rows) for (int i = 0; i < n; i++) width[i] = Math.max(width[i], r[i].length());
        for (int row = 0; row < rows.size(); row++) {
            String[] r = rows.get(row);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) line.append("  ");
                boolean number = row > 0 && !r[i].isEmpty() && r[i].chars().allMatch(ch -> ch >= '0' && ch <= '9');
                if (number) line.append(" ".repeat(width[i] - r[i].length())).append(r[i]);
                else line.append(r[i]).append(" ".repeat(width[i] - r[i].length()));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
