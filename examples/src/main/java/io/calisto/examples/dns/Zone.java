package io.calisto.examples.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authoritative zone, read from a small subset of RFC 1035 master-file syntax:
 * <pre>
 * ; comment to the end of the line
 * $ORIGIN example.com.          ; the zone's apex, absolute; required before the first record, once per file
 * $TTL 300                      ; default TTL of the records below (else 3600)
 * @            A     192.0.2.1  ; '@' is the origin
 * www      60  IN A  192.0.2.10 ; OWNER [TTL] [IN] TYPE RDATA (TTL and class in either order)
 *              AAAA  2001:db8::10   ; a line starting with blanks reuses the previous owner
 * mail.example.com. A 192.0.2.25    ; a name with a trailing dot is absolute and must be at or below the origin
 * </pre>
 * Types A and AAAA only; TTLs in plain seconds; no parentheses, quoting, escapes or {@code $INCLUDE}. Anything else
 * is refused with the file name and line number. Names are case-insensitive (stored lowercase). Every name between
 * an owner and the origin exists too (an "empty non-terminal": NODATA, not NXDOMAIN, as RFC 8020 asks).
 *
 * <p>Lookups are allocation-free: the answer records of each name are prebuilt in wire format (owner as a pointer
 * to the question's name at offset 12), kept in an open-addressing table keyed by the lowercase wire-format name.
 */
public final class Zone {
    public static final int DEFAULT_TTL = 3600;
    static final int TYPE_A = 1, TYPE_AAAA = 28;

    private final String originText;
    private final byte[] origin;
    private final byte[][] keys;
    private final byte[][] aAnswers, aaaaAnswers;
    private final int[] aCount, aaaaCount;
    private final int mask, names, records;

    private Zone(String originText, Map<String, Node> nodes) {
        this.originText = originText;
        this.origin = wire(originText);
        int size = 16;
        while (size < nodes.size() * 2) size <<= 1;
        keys = new byte[size][];
        aAnswers = new byte[size][];
        aaaaAnswers = new byte[size][];
        aCount = new int[size];
        aaaaCount = new int[size];
        mask = size - 1;
        int recs = 0;
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            byte[] key = wire(e.getKey());
            int slot = hash(key, key.length) & mask;
            while (keys[slot] != null) slot = (slot + 1) & mask;
            keys[slot] = key;
            aAnswers[slot] = answers(e.getValue().a, TYPE_A);
            aaaaAnswers[slot] = answers(e.getValue().aaaa, TYPE_AAAA);
            aCount[slot] = e.getValue().a.size();
            aaaaCount[slot] = e.getValue().aaaa.size();
            recs += aCount[slot] + aaaaCount[slot];
        }
        names = nodes.size();
        records = recs;
    }

    /** The zone's apex, e.g. {@code example.com.} */
    public String origin() { return originText; }

    /** Names in the zone (owners, the origin and the names between them). */
    public int names() { return names; }

    /** A and AAAA records. */
    public int records() { return records; }

    public static Zone load(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses {@code lines}; a mistake throws IllegalArgumentException "SOURCE:LINE: what is wrong". */
    public static Zone parse(List<String> lines, String source) {
        String origin = null;
        int ttl = DEFAULT_TTL;
        String owner = null;
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String where = source + ":" + (i + 1) + ": ";
            String line = lines.get(i);
            int semi = line.indexOf(';');
            if (semi >= 0) line = line.substring(0, semi);
            if (line.isBlank()) continue;
            boolean sameOwner = Character.isWhitespace(line.charAt(0));
            String[] t = line.strip().split("\\s+");
            try {
                if (t[0].startsWith("$")) {
                    switch (t[0].toUpperCase(Locale.ROOT)) {
                        case "$ORIGIN" -> {
                            if (t.length != 2) throw new IllegalArgumentException("$ORIGIN takes one name");
                            if (origin != null) throw new IllegalArgumentException("a second $ORIGIN: one zone per file");
                            if (!t[1].endsWith(".")) throw new IllegalArgumentException("$ORIGIN must be absolute (end with '.'): " + t[1]);
                            origin = canonical(t[1]);
                            nodes.put(origin, new Node());
                        }
                        case "$TTL" -> {
                            if (t.length != 2) throw new IllegalArgumentException("$TTL takes one number of seconds");
                            ttl = ttl(t[1]);
                        }
                        default -> throw new IllegalArgumentException("unsupported directive " + t[0] + " (only $ORIGIN and $TTL)");
                    }
                    continue;
                }
                if (origin == null) throw new IllegalArgumentException("a record before $ORIGIN");
                int k = 0;
                if (!sameOwner) owner = absolute(t[k++], origin);
                else if (owner == null) throw new IllegalArgumentException("a line starting with blanks but no previous owner");
                int recordTtl = ttl;
                boolean ttlSeen = false, classSeen = false;
                String type = null;
                for (; k < t.length && type == null; k++) {
                    String f = t[k];
                    if (!ttlSeen && f.chars().allMatch(Character::isDigit)) {
                        recordTtl = ttl(f);
                        ttlSeen = true;
                    } else if (!classSeen && f.equalsIgnoreCase("IN")) {
                        classSeen = true;
                    } else if (f.equalsIgnoreCase("CH") || f.equalsIgnoreCase("HS") || f.equalsIgnoreCase("CS")) {
                        throw new IllegalArgumentException("class " + f + ": only IN");
                    } else {
                        type = f.toUpperCase(Locale.ROOT);
                    }
                }
                if (type == null) throw new IllegalArgumentException("no record type");
                if (!type.equals("A") && !type.equals("AAAA")) {
                    throw new IllegalArgumentException("record type " + type + " is not supported (A and AAAA only)");
                }
                if (k != t.length - 1) throw new IllegalArgumentException(type + " takes exactly one address");
                Node node = nodes.computeIfAbsent(owner, n -> new Node());
                if (type.equals("A")) node.a.add(new Rr(recordTtl, address(t[k], 4)));
                else node.aaaa.add(new Rr(recordTtl, address(t[k], 16)));
                // the names between this owner and the origin exist too (empty non-terminals)
                for (String n = owner; !n.equals(origin); ) {
                    n = n.substring(n.indexOf('.') + 1);
                    if (n.isEmpty()) n = ".";
                    nodes.computeIfAbsent(n, x -> new Node());
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        }
        if (origin == null) throw new IllegalArgumentException(source + ": no $ORIGIN: the zone's apex must be named");
        return new Zone(origin, nodes);
    }

    /**
     * The table slot of {@code name[0..len)} (lowercase wire format, ending with the root label), or -1 when the zone
     * has no such name.
     */
    public int find(byte[] name, int len) {
        int slot = hash(name, len) & mask;
        for (byte[] k; (k = keys[slot]) != null; slot = (slot + 1) & mask) {
            if (k.length == len && Arrays.equals(k, 0, len, name, 0, len)) return slot;
        }
        return -1;
    }

    /**
     * Whether {@code name[0..len)} is the origin or below it; {@code labelStarts[0..labels)} are the offsets of its
     * labels (the root label excluded).
     */
    public boolean contains(byte[] name, int len, int[] labelStarts, int labels) {
        if (origin.length == 1) return true; // the root zone holds every name
        for (int i = 0; i < labels; i++) {
            int s = labelStarts[i];
            if (len - s == origin.length) return Arrays.equals(name, s, len, origin, 0, origin.length);
            if (len - s < origin.length) return false;
        }
        return false;
    }

    /** Answer records of {@code slot} for {@code type} (A or AAAA), wire format. */
    byte[] answers(int slot, int type) { return type == TYPE_A ? aAnswers[slot] : aaaaAnswers[slot]; }

    int count(int slot, int type) { return type == TYPE_A ? aCount[slot] : aaaaCount[slot]; }

    private static int hash(byte[] b, int len) {
        int h = 0x811c9dc5;
        for (int i = 0; i < len; i++) h = (h ^ (b[i] & 0xff)) * 0x01000193;
        return h ^ (h >>> 16);
    }

    private static byte[] answers(List<Rr> rrs, int type) {
        int rdlen = type == TYPE_A ? 4 : 16;
        byte[] out = new byte[rrs.size() * (12 + rdlen)];
        int p = 0;
        for (Rr rr : rrs) {
            out[p++] = (byte) 0xc0; // owner: a pointer to the question's name, at offset 12 of every message
            out[p++] = 12;
            out[p++] = (byte) (type >>> 8);
            out[p++] = (byte) type;
            out[p++] = 0;
            out[p++] = 1; // class IN
            out[p++] = (byte) (rr.ttl >>> 24);
            out[p++] = (byte) (rr.ttl >>> 16);
            out[p++] = (byte) (rr.ttl >>> 8);
            out[p++] = (byte) rr.ttl;
            out[p++] = 0;
            out[p++] = (byte) rdlen;
            System.arraycopy(rr.rdata, 0, out, p, rdlen);
            p += rdlen;
        }
        return out;
    }

    private static int ttl(String s) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= Integer.MAX_VALUE) return (int) v;
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new IllegalArgumentException("TTL must be 0.." + Integer.MAX_VALUE + " seconds, was '" + s + "'");
    }

    private static byte[] address(String s, int bytes) {
        boolean shape = bytes == 4 ? s.matches("\\d{1,3}(\\.\\d{1,3}){3}") : s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
        if (shape) {
            try {
                InetAddress a = InetAddress.getByName(s); // a literal: no lookup
                if (bytes == 4 && a instanceof Inet4Address) return a.getAddress();
                if (bytes == 16 && a instanceof Inet6Address) return a.getAddress();
                if (bytes == 16 && a instanceof Inet4Address v4) { // ::ffff:a.b.c.d, which Java turns into IPv4
                    byte[] m = new byte[16];
                    m[10] = m[11] = (byte) 0xff;
                    System.arraycopy(v4.getAddress(), 0, m, 12, 4);
                    return m;
                }
            } catch (UnknownHostException ignored) {
                // below
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not an IPv" + (bytes == 4 ? "4" : "6") + " address");
    }

    /** OWNER as an absolute, lowercase name. */
    private static String absolute(String owner, String origin) {
        if (owner.equals("@")) return origin;
        String name = owner.endsWith(".") ? canonical(owner) : canonical(owner + "." + (origin.equals(".") ? "" : origin));
        if (!name.equals(origin) && !origin.equals(".") && !name.endsWith("." + origin)) {
            throw new IllegalArgumentException(owner + " is outside the zone " + origin);
        }
        return name;
    }

    /** Validates an absolute name and lowercases it. */
    private static String canonical(String name) {
        if (name.equals(".")) return name;
        String n = name.toLowerCase(Locale.ROOT);
        String[] labels = n.substring(0, n.length() - 1).split("\\.", -1);
        int wire = 1;
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63 || !l.matches("[a-z0-9_-]+")) {
                throw new IllegalArgumentException("bad name '" + name + "' (labels of 1-63 letters, digits, '-' or '_')");
            }
            wire += 1 + l.length();
        }
        if (wire > 255) throw new IllegalArgumentException("name '" + name + "' is longer than 255 bytes");
        return n;
    }

    /** An absolute, canonical name in wire format. */
    static byte[] wire(String name) {
        if (name.equals(".")) return new byte[] {0};
        byte[] out = new byte[name.length() + 1];
        int p = 0;
        for (String l : name.substring(0, name.length() - 1).split("\\.")) {
            out[p++] = (byte) l.length();
            for (int i = 0; i < l.length(); i++) out[p++] = (byte) l.charAt(i);
        }
        out[p] = 0;
        return out;
    }

    private record Rr(int ttl, byte[] rdata) {}

    private static final class Node {
        final List<Rr> a = new ArrayList<>(), aaaa = new ArrayList<>();
    }
}
