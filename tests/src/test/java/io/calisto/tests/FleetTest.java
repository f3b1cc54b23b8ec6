package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calisto.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Three {@code calisto serve} JVMs (synthetic port, echo app) form a fleet on loopback; {@code ctl} (in this JVM, a
 * short-lived client each time) lists the members, routes a set-policy to one node, follows every node's events,
 * and sees a {@code kill -9}'d node downed and gone, then back under its name after a restart.
 *
 * <p>Timings of this test (the file written below, layered over control-plane's reference.conf with {@code --config}):
 * cluster failure detector heartbeat every 250 ms, 1 s acceptable pause (Unreachable about 1.5-2 s after the kill),
 * Split Brain Resolver stable-after 2 s (the kill-9'd node downed about 4 s after the kill, measured 4.2 s on 2 shared
 * CPUs). The test allows {@link #DOWNED_WITHIN_S} s from the kill to a members list of two Up nodes without it, which
 * includes ctl's own start-up on a loaded machine. The production defaults (1 s / 3 s / 7 s) are documented in
 * reference.conf and README ("Fleet").
 */
class FleetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FAST = """
        pekko.cluster.failure-detector { heartbeat-interval = 250ms, acceptable-heartbeat-pause = 1s, expected-response-after = 250ms }
        pekko.cluster.split-brain-resolver.stable-after = 2s
        """;
    static final int DOWNED_WITHIN_S = 25;

    record Result(int code, String out, String err) {}

    static Result ctl(String connect, String... args) {
        List<String> all = new ArrayList<>(List.of("ctl", "--connect", connect));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static ServeProcess launch(int port, int seedPort, String name, Path config) throws IOException {
        return ServeProcess.launch("--echo", "--rate", "2000", "--flows", "100", "--bind", "127.0.0.1:" + port,
            "--cluster-seed", "127.0.0.1:" + seedPort, "--node-name", name, "--config", config.toString());
    }

    /** members --format json through {@code via}: node name to status. */
    static Map<String, String> members(String via) throws Exception {
        Result r = ctl(via, "members", "--format", "json");
        assertEquals(0, r.code(), r.out() + r.err());
        Map<String, String> out = new TreeMap<>();
        for (JsonNode m : JSON.readTree(r.out())) {
            assertTrue(m.has("node") && m.has("address") && m.has("status") && m.has("apps"), m.toString());
            // an app list is given only for a member that answered now
            assertEquals(m.get("current").asBoolean(), m.get("apps").isArray(), m.toString());
            out.put(m.get("node").asText(), m.get("status").asText());
        }
        return out;
    }

    static Map<String, String> awaitMembers(String via, Predicate<Map<String, String>> ok, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, String> m = Map.of();
        while (System.nanoTime() < deadline) {
            m = members(via);
            if (ok.test(m)) return m;
            Thread.sleep(200);
        }
        throw new AssertionError("members never as expected within " + seconds + " s; last: " + m);
    }

    static String policy(String via, String node) throws Exception {
        Result r = ctl(via, "--node", node, "apps", "--format", "json");
        assertEquals(0, r.code(), r.out() + r.err());
        return JSON.readTree(r.out()).get(0).get("policy").asText();
    }

    /** A Writer whose text can be read while ctl is still writing to it. */
    static final class Buffer extends Writer {
        final StringBuffer text = new StringBuffer();

        @Override public void write(char[] c, int off, int len) { text.append(c, off, len); }

        @Override public void flush() {}

        @Override public void close() {}
    }

    @Test
    void threeNodesFormAFleetRouteCommandsMergeEventsAndDownAKilledNode() throws Exception {
        Path config = Files.createTempFile("fleet-test", ".conf");
        Files.writeString(config, FAST);
        int p1 = freePort(), p2 = freePort(), p3 = freePort();
        String n1 = "127.0.0.1:" + p1;
        List<ServeProcess> nodes = new ArrayList<>();
        try {
            nodes.add(launch(p1, p1, "node-1", config));
            nodes.add(launch(p2, p1, "node-2", config));
            nodes.add(launch(p3, p1, "node-3", config));
            long start = System.nanoTime();
            for (ServeProcess s : nodes) s.awaitReady(90);
            long t0 = System.nanoTime();
            System.out.printf("fleet: three ready lines %.1f s after the launch%n", (t0 - start) / 1e9);
            Map<String, String> up = awaitMembers(n1, m -> m.size() == 3 && m.values().stream().allMatch("Up"::equals), 60);
            assertEquals(Set.of("node-1", "node-2", "node-3"), up.keySet());
            System.out.printf("fleet: three Up %.1f s after the last ready line%n", (System.nanoTime() - t0) / 1e9);
            // any node answers for the whole fleet
            assertEquals(up, members("127.0.0.1:" + p3));

            // a routed command changes exactly its target
            Result set = ctl(n1, "--node", "node-2", "set-policy", "echo", "modulo");
            assertEquals(0, set.code(), set.out() + set.err());
            assertEquals("echo now dispatches with modulo", set.out().strip());
            assertEquals("affinity", policy(n1, "node-1"));
            assertEquals("modulo", policy(n1, "node-2"));
            assertEquals("affinity", policy(n1, "node-3"));
            Result ghost = ctl(n1, "--node", "node-9", "apps");
            assertEquals(2, ghost.code(), ghost.err());
            assertTrue(ghost.err().contains("no Up, reachable node named 'node-9'"), ghost.err());

            // --all-nodes: every node that has the app, reported per node
            Result all = ctl(n1, "--all-nodes", "set-policy", "echo", "affinity-rebind", "--format", "json");
            assertEquals(0, all.code(), all.out() + all.err());
            Set<String> done = new TreeSet<>();
            for (JsonNode n : JSON.readTree(all.out())) if (n.has("done")) done.add(n.get("node").asText());
            assertEquals(Set.of("node-1", "node-2", "node-3"), done, all.out());
            assertEquals("affinity-rebind", policy(n1, "node-3"));

            // events from everywhere: the retained history, then following the topic through node-3 (killed below)
            Result history = ctl(n1, "events", "--all-nodes");
            assertEquals(0, history.code(), history.err());
            assertEquals(Set.of("node-1", "node-2", "node-3"), eventNodes(history.out()));
            Buffer followed = new Buffer();
            StringWriter followErr = new StringWriter();
            CompletableFuture<Integer> follow = CompletableFuture.supplyAsync(() -> Main.execute(
                new String[] {"ctl", "--connect", "127.0.0.1:" + p3, "events", "--all-nodes", "--follow"},
                new PrintWriter(followed, true), new PrintWriter(followErr, true)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (eventNodes(followed.text.toString()).size() < 3 && System.nanoTime() < deadline && !follow.isDone()) Thread.sleep(100);
            assertEquals(Set.of("node-1", "node-2", "node-3"), eventNodes(followed.text.toString()), followErr.toString());

            // kill -9: node-3 goes Unreachable, the resolver downs it, members lists two Up
            ServeProcess killed = nodes.get(2);
            long kill = System.nanoTime();
            killed.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Map<String, String> two = awaitMembers(n1, m -> m.size() == 2 && m.values().stream().allMatch("Up"::equals), DOWNED_WITHIN_S);
            double downedS = (System.nanoTime() - kill) / 1e9;
            System.out.printf("fleet: node-3 killed, members lists two Up after %.1f s%n", downedS);
            assertEquals(Set.of("node-1", "node-2"), two.keySet());
            Result routedToDead = ctl(n1, "--node", "node-3", "apps");
            assertEquals(2, routedToDead.code(), routedToDead.err());
            // the follower connected to node-3 ends when node-3 is gone
            assertEquals(0, follow.get(20, TimeUnit.SECONDS), followErr.toString());
            assertTrue(followErr.toString().contains("stopped"), followErr.toString());
            for (ServeProcess s : nodes.subList(0, 2)) {
                String line = s.err().lines().filter(l -> l.contains("SBR took decision")).findFirst().orElse("");
                if (!line.isEmpty()) System.out.println("fleet: " + line.substring(0, Math.min(160, line.length())));
            }

            // a restarted node rejoins under its name
            killed.close();
            long restart = System.nanoTime();
            nodes.set(2, launch(p3, p1, "node-3", config));
            nodes.get(2).awaitReady(90);
            awaitMembers(n1, m -> m.size() == 3 && m.values().stream().allMatch("Up"::equals), 60);
            System.out.printf("fleet: node-3 restarted, three Up again %.1f s after its launch%n", (System.nanoTime() - restart) / 1e9);

            // serialization: Kryo for ours, Pekko's own for its messages; Java serialization is off and never attempted
            Pattern javaSer = Pattern.compile("(?i)java serializ|serializ\\w* .*(fail|not allowed|disabled)|NotSerializable");
            for (ServeProcess s : nodes) {
                assertFalse(javaSer.matcher(s.err()).find(), "serialization trouble in serve's log:\n" + s.err());
            }
        } finally {
            for (ServeProcess s : nodes) s.close();
            Files.deleteIfExists(config);
        }
    }

    static Set<String> eventNodes(String jsonLines) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String l : jsonLines.split("\n")) {
            if (l.isBlank() || !l.endsWith("}")) continue; // the last line may still be being written
            JsonNode e = JSON.readTree(l);
            assertTrue(e.has("type") && e.has("core"), l);
            out.add(e.get("node").asText());
        }
        return out;
    }
}
