package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calisto.control.soak.Soak;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The per-flow order promise under churn, for every policy: two apps with out-of-phase loads on a 4-core pool,
 * a limit change, a policy swap and a core drain mid-run; every packet is accounted for, no flow's packet is handled
 * before an earlier one or alongside another of its flow, and the run really granted and preempted cores.
 */
class SoakTest {
    static final List<String> POLICIES = io.calisto.io.dispatch.DispatchPolicy.NAMES;

    static Soak.Result soak(String policy, Soak.Options o) throws Exception {
        List<String> lines = new ArrayList<>();
        List<Soak.Result> results = Soak.run(EndToEndTest.config(Map.of()), List.of(policy), o, lines::add);
        assertEquals(1, results.size());
        assertTrue(lines.getFirst().startsWith("soak: 2 apps"), lines.toString());
        return results.getFirst();
    }

    @ParameterizedTest
    @FieldSource("POLICIES")
    void flowsStayInOrderWhileCoresLimitsAndPoliciesChange(String policy) throws Exception {
        Soak.Result r = soak(policy, new Soak.Options(3, 2, 20_000));
        assertTrue(r.received() > 10_000, r.line());
        assertEquals(0, r.unaccounted(), r.line());
        assertEquals(0, r.reordered(), "a flow's packet was handled after a later one: " + r.line());
        assertEquals(0, r.overlapped(), "two packets of a flow were in service at once: " + r.line());
        assertTrue(r.grants() > 0, r.line());
        assertTrue(r.preemptions() > 0, r.line());
        assertEquals(null, r.failure(), r.line());
    }

    /** The control: one core per app and no changes cannot reorder, so the checker must report nothing (no false alarms). */
    @Test
    void aRunWhereNoCoreMovesShowsNoDisorder() throws Exception {
        Soak.Result r = soak("modulo", new Soak.Options(2, 2, 20_000, false));
        assertTrue(r.received() > 10_000, r.line());
        assertEquals(0, r.unaccounted(), r.line());
        assertEquals(0, r.reordered(), r.line());
        assertEquals(0, r.overlapped(), r.line());
        assertEquals(2, r.grants(), "each app's guaranteed core, nothing else: " + r.line());
        assertEquals(0, r.preemptions(), r.line());
    }

    @Test
    void badSoakOptionsExitTwoWithOneLine() {
        String[][] cases = {
            {"--policy", "random"},
            {"--seconds", "0"},
            {"--apps", "1"},
            {"--flows", "0"},
            {"--seconds", "soon"},
        };
        for (String[] args : cases) {
            String[] full = new String[args.length + 1];
            full[0] = "soak";
            System.arraycopy(args, 0, full, 1, args.length);
            CliTest.Result r = CliTest.cli(full);
            assertEquals(2, r.code(), String.join(" ", full) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line expected: " + r.err());
            assertTrue(r.err().startsWith("calisto: "), r.err());
            assertEquals("", r.out(), "nothing runs on a bad option");
        }
        assertEquals("calisto: --policy must be one of modulo, affinity, affinity-held, affinity-rebind, affinity-published, affinity-prefill, affinity-hybrid, buckets, all; was 'random'",
            CliTest.cli("soak", "--policy", "random").err().strip());
        assertEquals("calisto: --apps must be in 2..8, was 1", CliTest.cli("soak", "--apps", "1").err().strip());
    }
}
