package io.calisto.tests;

import io.calisto.core.serial.CalistoMessage;
import io.calisto.core.serial.KryoSerializer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * A vandal's serializer: it claims {@link KryoSerializer}'s id and puts the bytes of a {@link Crafted} message on the
 * wire as they are, so the receiving dataplane hands exactly those bytes to its Kryo. Bound in the vandal's actor
 * system only ({@code pekko.actor.serializers.calisto-kryo}).
 */
public final class RawBytesSerializer extends SerializerWithStringManifest {
    /** Any bytes, sent as a Calisto message. */
    public record Crafted(byte[] bytes) implements CalistoMessage {}

    public RawBytesSerializer(ExtendedActorSystem system) {}

    @Override
    public int identifier() { return KryoSerializer.IDENTIFIER; }

    @Override
    public String manifest(Object o) { return ""; }

    @Override
    public byte[] toBinary(Object o) { return ((Crafted) o).bytes(); }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) { throw new UnsupportedOperationException("a vandal only sends"); }
}
