package io.calisto.core.remote;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** Kryo with every control message registered up front (unknown classes are refused). Not thread-safe: one per user. */
public final class ControlCodec {
    private final Kryo kryo = new Kryo();
    private final Output output = new Output(4096, 65536);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[0]);
    private byte[] input = new byte[4096];

    public ControlCodec() {
        kryo.setRegistrationRequired(true);
        kryo.register(int[].class, 10);
        kryo.register(ControlMessage.RegisterRemote.class, 11);
        kryo.register(ControlMessage.Registered.class, 12);
        kryo.register(ControlMessage.Rejected.class, 13);
        kryo.register(ControlMessage.Heartbeat.class, 14);
        kryo.register(ControlMessage.Unregister.class, 15);
    }

    /** The encoded message, valid until the next call. */
    public UnsafeBuffer encode(ControlMessage message) {
        output.reset();
        kryo.writeClassAndObject(output, message);
        frame.wrap(output.getBuffer(), 0, output.position());
        return frame;
    }

    public ControlMessage decode(DirectBuffer buffer, int offset, int length) {
        if (input.length < length) input = new byte[length];
        buffer.getBytes(offset, input, 0, length);
        return (ControlMessage) kryo.readClassAndObject(new Input(input, 0, length));
    }
}
