package io.calisto.io.port;

/**
 * Where packets come from and replies go to: the NIC seen by the IO core.
 * Called only from the IO thread; implementations need no locking and must not allocate per packet.
 */
public interface PacketPort extends AutoCloseable {

    /** Short name for logs and summaries, e.g. {@code synthetic}, {@code pcap:in.pcap}, {@code dpdk:net_null0}. */
    String name();

    /**
     * Fills {@code batch} with up to {@code batch.capacity()} frames and returns how many (also set as batch.count).
     * {@code nowNanos} is the IO loop's clock ({@link System#nanoTime()} domain).
     */
    int receive(RxBatch batch, long nowNanos);

    /** Gives back what {@link #receive} lent (e.g. frees mbufs in bulk). Called once per received batch. */
    default void release(RxBatch batch) {}

    /** Sends frames {@code 0..count-1}; returns how many went out. The caller counts the rest as dropped. */
    int transmit(TxBatch batch);

    /** True once a finite source (a pcap file, a synthetic run with a packet limit) has nothing more to give. */
    default boolean exhausted() { return false; }

    /**
     * Why a finite source stopped before its end (e.g. a corrupt capture: one line naming the file, record and
     * byte), or null. Set before {@link #exhausted} turns true; any thread may read it.
     */
    default String failure() { return null; }

    @Override
    void close();
}
