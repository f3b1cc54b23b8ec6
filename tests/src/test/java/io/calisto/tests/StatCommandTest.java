package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.cli.StatCommand;
import io.calisto.cli.UserError;
import io.calisto.control.AppHandle;
import io.calisto.control.AppStats;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.core.AppSpec;
import io.calisto.core.demo.EchoApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calisto stat} reads a running dataplane's counters from its Aeron counters file, as another process would
 * (no Aeron client, no connection), and they match the dataplane's own view ({@code Dataplane.stats()}).
 */
class StatCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode statJson(String dir) throws Exception {
        CliTest.Result r = CliTest.cli("stat", "--once", "--format", "json", "--aeron-dir", dir);
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one JSON object per snapshot: " + r.out());
        return JSON.readTree(r.out());
    }

    /** Reads until {@code done} holds (the pump mirrors every millisecond), at most 2 s; returns the last read. */
    private static JsonNode statUntil(String dir, Predicate<JsonNode> done) throws Exception {
        long until = System.nanoTime() + 2_000_000_000L;
        JsonNode s = statJson(dir);
        while (!done.test(s) && System.nanoTime() < until) {
            Thread.sleep(20);
            s = statJson(dir);
        }
        return s;
    }

    private static JsonNode app(JsonNode s, String name) {
        for (JsonNode a : s.get("apps")) if (a.get("name").asText().equals(name)) return a;
        return null;
    }

    @Test
    void onceJsonMatchesTheDataplanesOwnCounts() throws Exception {
        int packets = 5_000;
        Config c = EndToEndTest.config(Map.of(
            "calisto.synthetic.max-packets", packets,
            "calisto.synthetic.rate", 50_000,
            "calisto.synthetic.flows", 300,
            "calisto.dispatch.policy", "affinity",
            "calisto.aeron.term-length", "4m",
            "calisto.cores.pool", List.of(0, 1, 2, 3),
            // static cores: grants and yields do not move while the test compares
            "calisto.cores.guaranteed", 2,
            "calisto.cores.burstable", 2,
            "calisto.io.idle-strategy", "backoff"));
        List<Throwable> failed = new ArrayList<>();
        EndToEndTest.runToExhaustion(c, dp -> {
            try {
                String dir = dp.aeron().context().aeronDirectoryName();
                Thread.sleep(20); // a pump pass or more (drainAndStop already asked for one)
                JsonNode s = statUntil(dir, n -> n.get("port").get("tx").asLong() == packets);
                JsonNode port = s.get("port");
                assertEquals(packets, port.get("rx").asLong(), s.toString());
                assertEquals(packets, port.get("tx").asLong(), s.toString());
                assertEquals(dp.kernel().received(), port.get("rx").asLong());
                assertEquals(dp.kernel().transmitted(), port.get("tx").asLong());
                assertEquals(dp.kernel().replies(), port.get("replies").asLong());
                for (DropReason r : DropReason.values()) assertEquals(dp.kernel().dropped(r), port.get("drops").get(r.label()).asLong(), r.label());

                assertEquals(1, s.get("apps").size(), s.toString());
                JsonNode echo = app(s, "echo");
                assertTrue(echo != null, "app name in the snapshot: " + s);
                AppHandle h = dp.apps().getFirst();
                assertEquals(h.appId(), echo.get("id").asInt());
                AppStats mine = dp.stats().getFirst();
                long delivered = 0;
                assertEquals(mine.cores().size(), echo.get("cores").size(), "a row per pool core");
                for (int i = 0; i < mine.cores().size(); i++) {
                    AppStats.CoreStats want = mine.cores().get(i);
                    JsonNode got = echo.get("cores").get(i);
                    assertEquals(want.core(), got.get("core").asInt());
                    assertEquals(want.dispatched(), got.get("dispatched").asLong(), "core " + want.core());
                    assertEquals(want.delivered(), got.get("delivered").asLong(), "core " + want.core());
                    assertEquals(want.queued(), got.get("queued").asLong(), "core " + want.core());
                    assertEquals(0, got.get("queued").asLong(), "drained");
                    assertEquals(want.state(), got.get("state").asText(), "core " + want.core());
                    delivered += got.get("delivered").asLong();
                }
                assertEquals(packets, delivered, "per-core delivered sums to the packets sent");
                assertTrue(echo.get("grants").asLong() >= 2, "grants >= guaranteed cores: " + echo);
                assertEquals(mine.grants(), echo.get("grants").asLong());
                assertEquals(mine.yields(), echo.get("yields").asLong());
                assertEquals(mine.preemptions(), echo.get("preemptions").asLong());
                assertEquals(mine.revokes(), echo.get("revokes").asLong());
                assertEquals(mine.migratedFlows(), echo.get("migrations").asLong());
                assertEquals(mine.tableFullFallbacks(), echo.get("fallbacks").asLong());
                assertEquals(300, echo.get("flows").asLong(), "every flow in the affinity table");
                assertEquals(h.dispatch().policy().tableSize(), echo.get("flows").asLong());
                assertEquals(h.dispatch().policy().expired(), echo.get("expired").asLong());
                mine.drops().forEach((reason, n) -> assertEquals(n, echo.get("drops").get(reason).asLong(), reason));

                CliTest.Result table = CliTest.cli("stat", "--once", "--aeron-dir", dir);
                assertEquals(0, table.code(), table.err());
                assertTrue(table.out().startsWith("port  rx " + packets + "  tx " + packets + "  replies " + packets + "  drops none"), table.out());
                assertTrue(table.out().contains("app   id  core  state"), table.out());
                assertTrue(table.out().contains("app   id  grants  yields  preemptions"), table.out());
                // a row per core in the first table, one row in the second
                assertEquals(mine.cores().size() + 1, table.out().lines().filter(l -> l.startsWith("echo ")).count(), table.out());
            } catch (Throwable t) {
                failed.add(t);
            }
        });
        if (!failed.isEmpty()) throw new AssertionError(failed.getFirst());
    }

    @Test
    void theCountersOfAnUnregisteredAppDisappear() throws Exception {
        Config c = EndToEndTest.config(Map.of("calisto.cores.pool", List.of(0, 1, 2), "calisto.cores.guaranteed", 1, "calisto.cores.burstable", 1));
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "stat-apps", c);
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            String dir = dp.aeron().context().aeronDirectoryName();
            dp.register(apps, EchoApp.spec(c.getConfig("calisto.demo")), 1, 1);
            dp.register(apps, new AppSpec("other", MatchRule.parse("dst-port=9"), core -> new EchoApp(0)), 1, 1);
            JsonNode both = statUntil(dir, s -> s.get("apps").size() == 2);
            assertEquals(List.of("echo", "other"), names(both));
            assertEquals(3, app(both, "other").get("cores").size(), "a row per pool core");

            dp.unregister("echo");
            JsonNode after = statUntil(dir, s -> s.get("apps").size() == 1);
            assertEquals(List.of("other"), names(after), after.toString());
            // and gone from the counters file itself, as AeronStat would list it
            var reader = dp.aeron().countersReader();
            long until = System.nanoTime() + 2_000_000_000L;
            boolean left;
            do {
                Thread.sleep(10);
                List<String> labels = new ArrayList<>();
                reader.forEach((id, type, key, label) -> labels.add(label));
                left = labels.stream().anyMatch(l -> l.startsWith("calisto app echo("));
                assertTrue(labels.stream().anyMatch(l -> l.startsWith("calisto app other(")), labels.toString());
            } while (left && System.nanoTime() < until);
            assertFalse(left, "the unregistered app's counters are closed");
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    private static List<String> names(JsonNode s) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : s.get("apps")) out.add(a.get("name").asText());
        return out;
    }

    @Test
    void noDataplaneExitsTwoWithOneLine(@TempDir Path empty) {
        CliTest.Result r = CliTest.cli("stat", "--once", "--aeron-dir", empty.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("calisto: no dataplane at " + empty + " (no cnc.dat)", r.err().strip());
        assertEquals("", r.out());
        CliTest.Result missing = CliTest.cli("stat", "--aeron-dir", "/nonexistent/calisto-x");
        assertEquals(2, missing.code());
        assertEquals("calisto: no dataplane at /nonexistent/calisto-x (no cnc.dat)", missing.err().strip());
        for (String[] args : new String[][] {{"stat", "--format", "xml"}, {"stat", "--interval", "soon"}, {"stat", "--once", "--interval", "1s"}}) {
            CliTest.Result bad = CliTest.cli(args);
            assertEquals(2, bad.code(), String.join(" ", args));
            assertEquals(1, bad.err().strip().lines().count(), bad.err());
        }
    }

    @Test
    void theDefaultDirectoryIsServesOrTheOneOfALiveProcess(@TempDir Path shm) throws Exception {
        Path serve = shm.resolve("calisto");
        UserError none = assertThrows(UserError.class, () -> StatCommand.defaultDir("", serve, shm));
        assertEquals("no dataplane at " + serve + " or " + shm.resolve("calisto-<pid>") + " (no cnc.dat)", none.getMessage());
        Path dead = Files.createDirectories(shm.resolve("calisto-" + Integer.MAX_VALUE)); // no such process
        Files.writeString(dead.resolve("cnc.dat"), "");
        Path mine = Files.createDirectories(shm.resolve("calisto-" + ProcessHandle.current().pid()));
        assertThrows(UserError.class, () -> StatCommand.defaultDir("", serve, shm), "a directory without cnc.dat is not a dataplane");
        Files.writeString(mine.resolve("cnc.dat"), "");
        assertEquals(mine, StatCommand.defaultDir("", serve, shm));
        Files.createDirectories(serve);
        Files.writeString(serve.resolve("cnc.dat"), "");
        UserError two = assertThrows(UserError.class, () -> StatCommand.defaultDir("", serve, shm));
        assertEquals("2 dataplanes run here (" + serve + ", " + mine + "): name one with --aeron-dir", two.getMessage());
        Files.delete(mine.resolve("cnc.dat"));
        assertEquals(serve, StatCommand.defaultDir("", serve, shm), "calisto serve's directory");
        assertEquals(Path.of("/x/y"), StatCommand.defaultDir("/x/y", serve, shm), "calisto.aeron.dir, when set, wins");
    }
}
