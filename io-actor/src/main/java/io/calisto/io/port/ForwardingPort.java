package io.calisto.io.port;

/**
 * A port that wraps another and forwards every call to it; a subclass overrides what it adds (e.g. {@link #receive}
 * to count or to alternate what it hands the IO core). Forwarding keeps the wrapped port's defaults and buffers.
 */
public abstract class ForwardingPort implements PacketPort {
    protected final PacketPort port;

    protected ForwardingPort(PacketPort port) { this.port = port; }

    @Override
    public String name() { return port.name(); }

    @Override
    public int receive(RxBatch batch, long nowNanos) { return port.receive(batch, nowNanos); }

    @Override
    public void release(RxBatch batch) { port.release(batch); }

    @Override
    public int transmit(TxBatch batch) { return port.transmit(batch); }

    @Override
    public boolean exhausted() { return port.exhausted(); }

    @Override
    public String failure() { return port.failure(); }

    @Override
    public void close() { port.close(); }
}
