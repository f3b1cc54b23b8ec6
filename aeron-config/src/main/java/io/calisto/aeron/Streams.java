package io.calisto.aeron;

import com.typesafe.config.Config;

/**
 * Aeron channel and stream ids shared by the IO core and the applications.
 * RX: one stream per (application, core), written only by the IO thread. TX: one stream per application,
 * written by each of its core-actors through its own exclusive publication.
 */
public final class Streams {
    public static final int MAX_APPS = 256;
    public static final int MAX_CORES = 256;
    private static final int TX_BASE = 100;
    private static final int RX_BASE = 1000;

    private final String channel;

    public Streams(String channel) { this.channel = channel; }

    /** Builds the IPC channel from {@code calisto.aeron}: term length and MTU bound the largest frame. */
    public static Streams from(Config aeron) {
        long term = aeron.getBytes("term-length");
        long mtu = aeron.getBytes("mtu");
        if (Long.bitCount(term) != 1 || term < 64 * 1024 || term > 1024 * 1024 * 1024) {
            // Aeron's own limits (LogBufferDescriptor.TERM_MAX_LENGTH = 1g): checked here, before the driver starts
            throw new IllegalArgumentException("calisto.aeron.term-length must be a power of two in 64k..1g, was " + term);
        }
        if (mtu % 32 != 0 || mtu < 4096 || mtu > 65504) {
            throw new IllegalArgumentException("calisto.aeron.mtu must be a multiple of 32 in 4096..65504, was " + mtu);
        }
        return new Streams("aeron:ipc?term-length=" + term + "|mtu=" + mtu);
    }

    public String channel() { return channel; }

    public static int rxStreamId(int appId, int core) {
        check(appId, core);
        return RX_BASE + appId * MAX_CORES + core;
    }

    public static int txStreamId(int appId) {
        check(appId, 0);
        return TX_BASE + appId;
    }

    private static void check(int appId, int core) {
        if (appId < 0 || appId >= MAX_APPS) throw new IllegalArgumentException("app id out of range 0.." + (MAX_APPS - 1) + ": " + appId);
        if (core < 0 || core >= MAX_CORES) throw new IllegalArgumentException("core out of range 0.." + (MAX_CORES - 1) + ": " + core);
    }
}
