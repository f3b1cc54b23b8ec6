package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two views of one serving dataplane from outside its process: `stat` reads the Aeron counters file, `ctl stats`
 * asks the management actor over Pekko remoting. Once the traffic has stopped they must agree number for number.
 */
class StatAgreesWithCtlTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int PACKETS = 3000;

    @Test
    void statOnceAndCtlStatsAgreeOnAServingDataplane(@TempDir Path tmp) throws Exception {
        Path conf = Files.writeString(tmp.resolve("max.conf"), "calisto.synthetic.max-packets = " + PACKETS + "\n");
        try (ServeProcess s = ServeProcess.start("--echo", "--rate", "5000", "--config", conf.toString(), "--bind", "127.0.0.1:0")) {
            JsonNode ctl = null;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                ServeCtlTest.Result r = ServeCtlTest.ctl(s, "stats", "--format", "json");
                assertEquals(0, r.code(), r.err());
                ctl = JSON.readTree(r.out()).get(0);
                long delivered = 0;
                for (JsonNode c : ctl.get("cores")) delivered += c.get("delivered").asLong();
                if (delivered == PACKETS) break;
                Thread.sleep(200);
            }
            Thread.sleep(50); // the counters file is refreshed every millisecond
            CliTest.Result st = CliTest.cli("stat", "--once", "--format", "json", "--aeron-dir", s.aeronDir.toString());
            assertEquals(0, st.code(), st.err());
            JsonNode stat = JSON.readTree(st.out());
            assertEquals(PACKETS, stat.get("port").get("rx").asLong(), st.out());
            assertEquals(PACKETS, stat.get("port").get("tx").asLong(), st.out());
            JsonNode app = stat.get("apps").get(0);
            assertEquals(ctl.get("app").asText(), app.get("name").asText());
            long sum = 0;
            for (int i = 0; i < ctl.get("cores").size(); i++) {
                JsonNode c = ctl.get("cores").get(i), t = app.get("cores").get(i);
                assertEquals(c.get("core").asInt(), t.get("core").asInt());
                assertEquals(c.get("dispatched").asLong(), t.get("dispatched").asLong(), "core " + c.get("core"));
                assertEquals(c.get("delivered").asLong(), t.get("delivered").asLong(), "core " + c.get("core"));
                assertEquals(c.get("queued").asLong(), t.get("queued").asLong(), "core " + c.get("core"));
                sum += t.get("delivered").asLong();
            }
            assertEquals(PACKETS, sum);
            for (String k : new String[] {"grants", "yields", "preemptions", "revokes"}) {
                assertEquals(ctl.get(k).asLong(), app.get(k).asLong(), k);
            }
            assertEquals(ctl.get("migratedFlows").asLong(), app.get("migrations").asLong());
            assertEquals(ctl.get("tableFullFallbacks").asLong(), app.get("fallbacks").asLong());
            assertTrue(app.get("grants").asLong() >= 1, st.out());
            assertEquals(0, ServeCtlTest.ctl(s, "shutdown").code());
            assertEquals(0, s.awaitExit(30), s.err());
        }
    }
}
