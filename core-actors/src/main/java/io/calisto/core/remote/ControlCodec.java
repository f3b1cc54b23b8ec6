package io.calisto.core.remote;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Kryo with every control message registered up front (unknown classes are refused). Ids are the wire format: append
 * new classes with new ids, never renumber. Not thread-safe: one per user.
 */
public final class ControlCodec {
    private final Kryo kryo = new Kryo();
    // a stats reply grows with the number of apps; the publication's max message length is the real bound
    private final Output output = new Output(4096, 1 << 20);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[0]);
    private byte[] input = new byte[4096];

    public ControlCodec() {
        kryo.setRegistrationRequired(true);
        kryo.register(int[].class, 10);
        kryo.register(ControlMessage.RegisterRemote.class, 11);
        kryo.register(ControlMessage.Registered.class, 12);
        kryo.register(ControlMessage.RegistrationRejected.class, 13);
        kryo.register(ControlMessage.Heartbeat.class, 14);
        kryo.register(ControlMessage.Unregister.class, 15);
        kryo.register(long[].class, 16);
        kryo.register(String[].class, 17);
        kryo.register(AppSummary.CoreSummary.class, 18);
        kryo.register(AppSummary.CoreSummary[].class, 19);
        kryo.register(AppSummary.class, 20);
        kryo.register(AppSummary[].class, 21);
        kryo.register(ControlMessage.SetPolicy.class, 22);
        kryo.register(ControlMessage.SetCoreLimits.class, 23);
        kryo.register(ControlMessage.DrainCore.class, 24);
        kryo.register(ControlMessage.GetStats.class, 25);
        kryo.register(ControlMessage.SubscribeEvents.class, 26);
        kryo.register(ControlMessage.UnsubscribeEvents.class, 27);
        kryo.register(ControlMessage.Done.class, 28);
        kryo.register(ControlMessage.Rejected.class, 29);
        kryo.register(ControlMessage.Stats.class, 30);
        kryo.register(ControlMessage.RemoteCoreEvent.class, 31);
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
