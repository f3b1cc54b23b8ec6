package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CliTest {
    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void runPrintsProgressAndAZeroUnaccountedSummary() {
        Result r = cli("run", "--duration", "2s", "--rate", "20000", "--flows", "300", "--policy", "modulo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("[  1s] rx "), r.out());
        assertTrue(r.out().contains("== summary (port synthetic) =="), r.out());
        assertTrue(r.out().contains("unaccounted  0"), r.out());
        assertTrue(r.out().contains("app echo      delivered"), r.out());
    }

    @Test
    void badOptionValuesExitTwoWithOneLine() {
        for (String[] args : new String[][] {
            {"run", "--policy", "random"},
            {"run", "--duration", "soon"},
            {"run", "--flows", "0"},
            {"run", "--rate", "abc"},
            {"run", "--pcap", "/nonexistent/in.pcap"},
            {"run", "--bogus"},
        }) {
            Result r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line expected: " + r.err());
            assertTrue(r.err().startsWith("calisto: "), r.err());
        }
        assertEquals("calisto: --policy must be one of modulo, affinity, affinity-rebind, affinity-published; was 'random'", cli("run", "--policy", "random").err().strip());
        assertEquals("calisto: capture not found: /nonexistent/in.pcap", cli("run", "--pcap", "/nonexistent/in.pcap").err().strip());
    }
}
