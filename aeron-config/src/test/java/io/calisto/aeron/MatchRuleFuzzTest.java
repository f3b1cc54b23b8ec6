package io.calisto.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@link MatchRule#parse} on arbitrary text (a config value, a CLI option, a rule from another JVM). Contract: a rule,
 * or an {@link IllegalArgumentException} with a message, nothing else; never a DNS lookup (counted by
 * {@link RecordingResolverProvider}); only {@code ""} and {@code any} match everything; a parsed rule reads back from
 * its {@link MatchRule#format} unchanged and matches a packet built from its own fields. Seeds and findings:
 * {@code MatchRuleFuzzTestInputs/}; README, "Fuzzing".
 */
class MatchRuleFuzzTest {
    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"dst-mac=", "dst-ip=", "proto=udp", "proto=tcp", "dst-port=", "any", ",", "=", "-", ":", ".", "::ffff:", "02:00:00:00:00:01"})
    void parsesToARuleOrRefusesWithAMessage(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        long lookups = RecordingResolverProvider.LOOKUPS.get();
        MatchRule rule;
        try {
            rule = MatchRule.parse(text);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "refused without a message");
            assertEquals(lookups, RecordingResolverProvider.LOOKUPS.get(), "DNS lookup while refusing " + text);
            return;
        }
        assertEquals(lookups, RecordingResolverProvider.LOOKUPS.get(), "DNS lookup while parsing " + text);
        String t = text.trim();
        if (rule.equals(MatchRule.ANY)) assertTrue(t.isEmpty() || t.equals("any"), "'" + text + "' matches every packet");
        assertEquals(rule, MatchRule.parse(rule.format()), "format " + rule.format() + " of '" + text + "' reads back differently");

        long mac = rule.dstMac() == MatchRule.ANY_MAC ? 0x020000000001L : rule.dstMac();
        int version = rule.ipVersion() == 0 ? 4 : rule.ipVersion();
        int proto = rule.protocol() == 0 ? 17 : rule.protocol();
        int lo = rule.portLo() < 0 ? 0 : rule.portLo(), hi = rule.portLo() < 0 ? 65535 : rule.portHi();
        assertTrue(rule.matches(mac, version, rule.dstIpHi(), rule.dstIpLo(), proto, true, lo), "does not match its own lowest port");
        assertTrue(rule.matches(mac, version, rule.dstIpHi(), rule.dstIpLo(), proto, true, hi), "does not match its own highest port");
        if (rule.portLo() >= 0) assertFalse(rule.matches(mac, version, rule.dstIpHi(), rule.dstIpLo(), proto, false, lo), "a port rule matched a packet without ports");
    }
}
