package io.calisto.io.dispatch;

import io.calisto.aeron.Streams;
import io.calisto.io.rss.Toeplitz;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Flows {@code affinity-prefill} binds before the first packet (paper §7): RSS hash → core. Read from a text file,
 * one flow a line; {@code #} starts a comment, blank lines are skipped:
 * <pre>
 *   0x8a3f12c4 3                          an RSS hash (0x hex, or unsigned decimal) and its core
 *   udp 10.0.0.2 5000 10.0.0.1 7 2        a 5-tuple (udp|tcp, source address and port, destination address
 *   tcp fd00::2 443 fd00::1 8443 1        and port; IPv4 or IPv6) and its core
 * </pre>
 * A 5-tuple's hash is the Toeplitz hash the IO core computes for it (the 4-tuple, with {@code calisto.io.rss-key}),
 * which equals a NIC's when the NIC uses the same key. A hash listed twice, a core outside the pool or any unreadable
 * line is an {@link IllegalArgumentException} naming the file and line.
 */
public final class Prefill {
    public static final Prefill EMPTY = new Prefill(new int[0], new int[0]);

    private final int[] hashes;
    private final int[] cores;

    public Prefill(int[] hashes, int[] cores) {
        if (hashes.length != cores.length) throw new IllegalArgumentException("prefill: " + hashes.length + " hashes but " + cores.length + " cores");
        this.hashes = hashes.clone();
        this.cores = cores.clone();
    }

    public int size() { return hashes.length; }

    public int hash(int i) { return hashes[i]; }

    public int core(int i) { return cores[i]; }

    /** Reads {@code file}; 5-tuples are hashed with {@code toeplitz}; every core must be one of {@code pool}. */
    public static Prefill read(Path file, Toeplitz toeplitz, int[] pool) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the prefill file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), lines, toeplitz, pool);
    }

    /** As {@link #read}, from {@code lines} of a file called {@code name} (for errors). */
    public static Prefill parse(String name, List<String> lines, Toeplitz toeplitz, int[] pool) {
        boolean[] inPool = new boolean[Streams.MAX_CORES];
        for (int c : pool) inPool[c] = true;
        FlowTable seen = new FlowTable(Math.max(1, lines.size()));
        int[] hashes = new int[lines.size()], cores = new int[lines.size()];
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hashMark = line.indexOf('#');
            String[] f = (hashMark >= 0 ? line.substring(0, hashMark) : line).strip().split("\\s+");
            if (f.length == 1 && f[0].isEmpty()) continue;
            String at = name + ":" + (i + 1) + ": ";
            int hash;
            if (f.length == 2) {
                hash = hash(f[0], at);
            } else if (f.length == 6) {
                hash = tupleHash(f, toeplitz, at);
            } else {
                throw new IllegalArgumentException(at + "expected 'HASH CORE' or 'udp|tcp SRC-IP SRC-PORT DST-IP DST-PORT CORE', found "
                    + f.length + " fields");
            }
            int core = number(f[f.length - 1], "core", Streams.MAX_CORES - 1, at);
            if (!inPool[core]) throw new IllegalArgumentException(at + "core " + core + " is not in calisto.cores.pool " + Arrays.toString(pool));
            int earlier = seen.get(hash);
            if (earlier != FlowTable.MISSING) {
                throw new IllegalArgumentException(at + "hash 0x" + Integer.toHexString(hash) + " is already listed on line " + earlier);
            }
            seen.put(hash, i + 1);
            hashes[n] = hash;
            cores[n++] = core;
        }
        return new Prefill(Arrays.copyOf(hashes, n), Arrays.copyOf(cores, n));
    }

    private static int hash(String s, String at) {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v >= 0 && v <= 0xFFFF_FFFFL && !s.startsWith("-") && !s.startsWith("+")) return (int) v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(at + "hash '" + s + "' is not an unsigned 32-bit number (0x hex or decimal)");
    }

    private static int tupleHash(String[] f, Toeplitz toeplitz, String at) {
        String proto = f[0].toLowerCase(java.util.Locale.ROOT);
        if (!proto.equals("udp") && !proto.equals("tcp")) throw new IllegalArgumentException(at + "protocol '" + f[0] + "' is not udp or tcp");
        InetAddress src = address(f[1], at), dst = address(f[3], at);
        int sport = number(f[2], "source port", 65535, at), dport = number(f[4], "destination port", 65535, at);
        if (src instanceof Inet4Address != dst instanceof Inet4Address) {
            throw new IllegalArgumentException(at + "source and destination must both be IPv4 or both IPv6");
        }
        ByteBuffer s = ByteBuffer.wrap(src.getAddress()), d = ByteBuffer.wrap(dst.getAddress());
        return src instanceof Inet4Address
            ? toeplitz.hashIpv4(s.getInt(), d.getInt(), sport, dport, true)
            : toeplitz.hashIpv6(s.getLong(), s.getLong(), d.getLong(), d.getLong(), sport, dport, true);
    }

    private static InetAddress address(String s, String at) {
        try {
            return InetAddress.ofLiteral(s); // a literal only: never a name lookup
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + "'" + s + "' is not an IPv4 or IPv6 address");
        }
    }

    private static int number(String s, String what, int max, String at) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 0 && v <= max && !s.startsWith("+")) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(at + what + " '" + s + "' is not a number in 0.." + max);
    }
}
