package io.calisto.examples.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ZoneTest {
    @Test
    void countsNamesAndRecords() {
        Zone z = DnsResponderTest.ZONE;
        assertEquals("example.com.", z.origin());
        // example.com, www, v6only, a.deep, deep (empty non-terminal), mail
        assertEquals(6, z.names());
        assertEquals(7, z.records());
        byte[] w = Zone.wire("www.example.com.");
        assertEquals(17, w.length);
        int slot = z.find(w, w.length);
        assertEquals(2, z.count(slot, Zone.TYPE_A));
        assertEquals(-1, z.find(Zone.wire("ww.example.com."), 16));
    }

    @Test
    void mistakesNameTheLine() {
        assertEquals("z:2: record type MX is not supported (A and AAAA only)", error("$ORIGIN example.com.", "@ MX 10 mail"));
        assertEquals("z:1: a record before $ORIGIN", error("www A 192.0.2.1"));
        assertEquals("z:2: www.example.org. is outside the zone example.com.", error("$ORIGIN example.com.", "www.example.org. A 192.0.2.1"));
        assertEquals("z:2: '192.0.2' is not an IPv4 address", error("$ORIGIN example.com.", "www A 192.0.2"));
        assertEquals("z:2: 'host.example' is not an IPv6 address", error("$ORIGIN example.com.", "www AAAA host.example"));
        assertEquals("z:1: $ORIGIN must be absolute (end with '.'): example.com", error("$ORIGIN example.com"));
        assertEquals("z:2: unsupported directive $INCLUDE (only $ORIGIN and $TTL)", error("$ORIGIN example.com.", "$INCLUDE other"));
        assertEquals("z:2: class CH: only IN", error("$ORIGIN example.com.", "www CH A 192.0.2.1"));
        assertEquals("z:2: TTL must be 0..2147483647 seconds, was '9999999999'", error("$ORIGIN example.com.", "$TTL 9999999999"));
        assertEquals("z: no $ORIGIN: the zone's apex must be named", error("; empty"));
        assertEquals("z:2: bad name 'a..example.com.' (labels of 1-63 letters, digits, '-' or '_')", error("$ORIGIN example.com.", "a..example.com. A 192.0.2.1"));
    }

    static String error(String... lines) {
        return assertThrows(IllegalArgumentException.class, () -> Zone.parse(List.of(lines), "z")).getMessage();
    }
}
