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

    /** Found by MatchRuleFuzzTest: an address the pattern let through but that is no literal went to DNS. */
    @Test
    void anAddressThatIsNoLiteralIsRefusedWithoutALookup() {
        long lookups = RecordingResolverProvider.LOOKUPS.get();
        for (String bad : new String[] {"1..2.3", "1.2.3.4.", "999.1.1.1", "1.2.3.4444444444", ":::", "1:2:3:4:5:6:7:8:9"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatchRule.parse("dst-ip=" + bad), bad);
            assertEquals("bad IP address '" + bad + "'", e.getMessage());
        }
        assertEquals(lookups, RecordingResolverProvider.LOOKUPS.get(), "DNS lookups");
        assertEquals("dst-ip=10.0.0.1", MatchRule.parse("dst-ip=10.0.0.1").format());
        assertEquals("dst-ip=fd00:0:0:0:0:0:0:1", MatchRule.parse("dst-ip=fd00::1").format());
        assertEquals("dst-ip=1.2.3.4", MatchRule.parse("dst-ip=::ffff:1.2.3.4").format());
    }

    /** Found by MatchRuleFuzzTest: the last of two dst-ip won, keeping the first one's IPv6 high half. */
    @Test
    void aKeyGivenTwiceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatchRule.parse("dst-ip=d0::,dst-port=1,dst-ip=10.0.0.1"));
        assertEquals("match rule 'dst-ip=d0::,dst-port=1,dst-ip=10.0.0.1' gives dst-ip twice", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatchRule.parse("dst-port=1, dst-port=2"));
        assertEquals("proto=udp,dst-port=1", MatchRule.parse("dst-port=1,proto=udp").format());
    }
}
