package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calisto.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code calisto serve} as a separate JVM, driven by {@code calisto ctl} (in this JVM: ctl is itself a short-lived
 * client with an actor system of its own) over Pekko remoting, as a user would.
 */
class ServeCtlTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Result ctl(ServeProcess s, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "ctl";
        all[1] = "--connect";
        all[2] = s.endpoint();
        System.arraycopy(args, 0, all, 3, args.length);
        return cli(all);
    }

    private static void oneLine(Result r, int code, String start) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line expected: " + r.err());
        assertTrue(r.err().startsWith(start), r.err());
    }

    private static JsonNode app(Result apps, String name) throws Exception {
        assertEquals(0, apps.code(), apps.err());
        for (JsonNode a : JSON.readTree(apps.out())) if (a.get("name").asText().equals(name)) return a;
        throw new AssertionError("no app " + name + " in " + apps.out());
    }

    @Test
    void ctlManagesAServingDataplaneAndShutdownDrainsAndExitsZero() throws Exception {
        try (ServeProcess s = ServeProcess.start("--echo", "--rate", "2000", "--flows", "100", "--bind", "127.0.0.1:0")) {
            JsonNode echo = app(ctl(s, "apps", "--format", "json"), "echo");
            assertEquals("affinity", echo.get("policy").asText());
            assertEquals(1, echo.get("guaranteed").asInt());
            assertEquals(4, echo.get("burstable").asInt());
            assertTrue(echo.get("cores").isArray() && echo.get("cores").size() >= 1, echo.toString());

            Result set = ctl(s, "set-policy", "echo", "modulo");
            assertEquals(0, set.code(), set.err());
            assertEquals("echo now dispatches with modulo", set.out().strip());
            assertEquals("modulo", app(ctl(s, "apps", "--format", "json"), "echo").get("policy").asText());

            Result limits = ctl(s, "limits", "echo", "2", "3", "--format", "json");
            assertEquals(0, limits.code(), limits.err());
            assertEquals("echo limits guaranteed=2 burstable=3", JSON.readTree(limits.out()).get("done").asText());
            echo = app(ctl(s, "apps", "--format", "json"), "echo");
            assertEquals(2, echo.get("guaranteed").asInt());
            assertEquals(3, echo.get("burstable").asInt());

            // refused by the dataplane: exit 1 and its reason, one line
            Result refused = ctl(s, "set-policy", "ghost", "modulo");
            oneLine(refused, 1, "calisto: no app named 'ghost'");
            oneLine(ctl(s, "limits", "echo", "3", "2"), 1, "calisto: ");
            // bad usage: exit 2, one line, nothing sent
            oneLine(ctl(s, "limits", "echo", "many", "2"), 2, "calisto: ");
            oneLine(ctl(s, "frobnicate"), 2, "calisto: ");
            oneLine(ctl(s, "apps", "--format", "yaml"), 2, "calisto: --format must be table or json");

            Result table = ctl(s, "apps");
            assertEquals(0, table.code(), table.err());
            assertTrue(table.out().startsWith("APP") && table.out().contains("echo  modulo"), table.out());

            Result cores = ctl(s, "cores", "--format", "json");
            assertEquals(0, cores.code(), cores.err());
            assertEquals(8, JSON.readTree(cores.out()).size(), cores.out());
            Result stats = ctl(s, "stats", "--format", "json");
            assertEquals(0, stats.code(), stats.err());
            JsonNode st = JSON.readTree(stats.out()).get(0);
            assertEquals("echo", st.get("app").asText());
            assertTrue(st.get("cores").get(0).has("delivered"), stats.out());

            Result events = ctl(s, "events");
            assertEquals(0, events.code(), events.err());
            List<JsonNode> lines = events.out().lines().map(ServeCtlTest::parse).toList();
            assertTrue(lines.stream().anyMatch(e -> e.get("type").asText().equals("CoreGranted") && e.get("app").asText().equals("echo")), events.out());
            for (JsonNode e : lines) assertTrue(e.has("core") && e.has("reason") && e.has("t_ns") && e.has("signal"), e.toString());

            // a second serve on the same bind, or on the same Aeron directory, refuses to start and harms neither
            oneLine(cli("serve", "--bind", s.endpoint(), "--aeron-dir", s.aeronDir + "-other"), 2, "calisto: cannot bind the management endpoint " + s.endpoint());
            oneLine(cli("serve", "--bind", "127.0.0.1:0", "--aeron-dir", s.aeronDir.toString()), 2, "calisto: Aeron directory " + s.aeronDir);
            assertTrue(Files.exists(s.aeronDir.resolve("cnc.dat")), "the live dataplane's Aeron directory is untouched");

            // events --follow prints new events until the dataplane goes away
            StringWriter followed = new StringWriter(), followErr = new StringWriter();
            CompletableFuture<Integer> follow = CompletableFuture.supplyAsync(() -> Main.execute(
                new String[] {"ctl", "--connect", s.endpoint(), "events", "--follow"}, new PrintWriter(followed, true), new PrintWriter(followErr, true)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (followed.toString().isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
            assertFalse(followed.toString().isEmpty(), "no event followed; stderr " + followErr);
            parse(followed.toString().lines().findFirst().orElseThrow());
            // a serve that stalls for less than calisto.ctl.watch-pause (5 s) is not taken for dead: with the
            // dataplane's 1 s for apps this follow ended here ("the dataplane ... stopped")
            signal("STOP", s.process.pid());
            Thread.sleep(2500);
            signal("CONT", s.process.pid());
            Thread.sleep(500);
            assertFalse(follow.isDone(), "a 2.5 s stall of serve ended the follow: " + followErr);

            Result shutdown = ctl(s, "shutdown");
            assertEquals(0, shutdown.code(), shutdown.err());
            assertEquals(0, s.awaitExit(60), s.out() + s.err());
            assertTrue(s.out().contains("calisto serve: stopping (shutdown command)"), s.out());
            assertTrue(s.out().contains("== summary (port synthetic) =="), s.out());
            assertTrue(s.out().contains("unaccounted  0"), s.out());
            assertFalse(Files.exists(s.aeronDir), "serve removes its Aeron directory");
            assertFalse(Files.exists(Path.of(s.aeronDir + ".lock")), "and its lock file");
            assertEquals(0, follow.get(30, TimeUnit.SECONDS), followErr.toString());
            assertTrue(followErr.toString().contains("stopped"), followErr.toString());
        }
    }

    @Test
    void sigtermDrainsPrintsTheSummaryAndExitsZero() throws Exception {
        try (ServeProcess s = ServeProcess.start("--echo", "--rate", "2000", "--flows", "100", "--bind", "127.0.0.1:0")) {
            Thread.sleep(500); // some traffic in flight
            // SIGTERM, as Process.destroy() sends it, but through the handle: Process.destroy() also closes our ends of
            // the pipes, and the summary printed after the signal would be lost
            assertTrue(s.process.toHandle().destroy());
            assertEquals(0, s.awaitExit(60), s.out() + s.err());
            assertTrue(s.out().contains("calisto serve: stopping (SIGTERM)"), s.out() + "\nstderr:\n" + s.err());
            assertTrue(s.out().contains("unaccounted  0"), s.out());
            assertTrue(s.out().matches("(?s).*received     [1-9].*"), s.out());
            assertFalse(Files.exists(s.aeronDir), "serve removes its Aeron directory");
        }
    }

    @Test
    void ctlWithNothingListeningIsOneLineExitTwo() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        long start = System.nanoTime();
        Result r = cli("ctl", "--connect", "127.0.0.1:" + port, "apps");
        oneLine(r, 2, "calisto: cannot reach the dataplane at 127.0.0.1:" + port);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "fails within seconds");
        oneLine(cli("ctl", "--connect", "nohost", "apps"), 2, "calisto: --connect must be HOST:PORT");
    }

    @Test
    void aBindBeyondLoopbackNeedsTlsAndIsRefused() {
        Result r = cli("serve", "--bind", "0.0.0.0:25520");
        oneLine(r, 2, "calisto: --bind 0.0.0.0:25520 is not a loopback address");
        assertTrue(r.err().contains("tls-tcp"), r.err());
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    static void signal(String sig, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor());
    }
}
