package io.calisto.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A rule with an empty term is a typo and refused; only "" and "any" match every packet. */
class MatchRuleParseTest {
    @Test
    void emptyTermsAreRefusedNotAny() {
        for (String bad : new String[] {",", ",,", " , ", "dst-port=7,", ",dst-port=7", "dst-port=7,,proto=udp"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatchRule.parse(bad), bad);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertEquals(true, e.getMessage().contains("empty term"), e.getMessage());
        }
        assertEquals(MatchRule.ANY, MatchRule.parse(""));
        assertEquals(MatchRule.ANY, MatchRule.parse("any"));
        assertEquals("dst-port=7", MatchRule.parse("dst-port=7").format());
        assertEquals("proto=udp,dst-port=7", MatchRule.parse(" proto=udp , dst-port=7 ").format());
    }
}
