package io.calisto.core.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/** A typed ActorRef on the wire: its full address (Pekko's own format), resolved again on the receiving side. */
final class TypedActorRefSerializer extends Serializer<ActorRef<?>> {
    private final ActorRefResolver resolver;

    TypedActorRefSerializer(ActorRefResolver resolver) { this.resolver = resolver; }

    @Override
    public void write(Kryo kryo, Output output, ActorRef<?> ref) { output.writeString(resolver.toSerializationFormat(ref)); }

    @Override
    public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) { return resolver.resolveActorRef(input.readString()); }
}
