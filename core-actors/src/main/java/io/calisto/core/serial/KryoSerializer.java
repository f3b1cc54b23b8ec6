package io.calisto.core.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.Pool;
import com.typesafe.config.Config;
import java.io.NotSerializableException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko's wire format for every Calisto message that crosses JVMs (management commands, replies, events): Kryo with
 * registration required, so an unknown class is refused rather than instantiated. The classes and their ids are listed
 * in one place per module, {@code calisto.serialization.kryo-ids} in that module's reference.conf (HOCON objects merge,
 * so control-plane adds its messages to core-actors' list); ids are the wire format, never renumbered. A JVM that
 * lacks a module (an app JVM without control-plane) skips that module's classes. Typed {@link ActorRef}s travel as
 * their serialization format string. Kryo instances are not thread-safe: a pool.
 */
public final class KryoSerializer extends SerializerWithStringManifest {
    /** Pekko serializer id; ids below 100 belong to Pekko. */
    public static final int IDENTIFIER = 7_147_001;
    /** Deepest nesting of objects in one message (ours nest 5 deep: Stats, AppStats, a list, CoreStats, a String). */
    static final int MAX_DEPTH = 32;

    private final ExtendedActorSystem system;
    private final Map<String, Integer> ids;
    private final Pool<Kryo> pool;

    public KryoSerializer(ExtendedActorSystem system) {
        this.system = system;
        this.ids = registrations(system.settings().config());
        this.pool = new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() { return newKryo(); }
        };
    }

    static Map<String, Integer> registrations(Config config) {
        Map<String, Integer> out = new TreeMap<>();
        Config ids = config.getConfig("calisto.serialization.kryo-ids");
        for (var e : ids.root().entrySet()) {
            // keys are class names with dots, so they are quoted in HOCON and come back as one path element
            int id = ((Number) e.getValue().unwrapped()).intValue();
            // two classes on one id would decode as each other: refuse to start instead
            for (var other : out.entrySet()) {
                if (other.getValue() == id) {
                    throw new IllegalArgumentException("calisto.serialization.kryo-ids gives id " + id + " to both " + other.getKey() + " and " + e.getKey());
                }
            }
            if (id < 100) throw new IllegalArgumentException("calisto.serialization.kryo-ids: id " + id + " of " + e.getKey() + " is below 100 (Kryo's own)");
            out.put(e.getKey(), id);
        }
        return out;
    }

    private Kryo newKryo() {
        Kryo kryo = new Kryo(new BoundedInput.ClassIds(), null);
        kryo.setRegistrationRequired(true);
        kryo.setMaxDepth(MAX_DEPTH); // nesting is recursion: ArrayLists nested 10,000 deep would overflow the stack
        kryo.setReferences(false);
        ImmutableCollectionsSerializers.registerSerializers(kryo);
        ActorRefResolver resolver = ActorRefResolver.get(Adapter.toTyped(system));
        kryo.addDefaultSerializer(ActorRef.class, new TypedActorRefSerializer(resolver));
        for (var e : ids.entrySet()) {
            Class<?> c = load(e.getKey());
            if (c != null) kryo.register(c, e.getValue());
        }
        return kryo;
    }

    private Class<?> load(String name) {
        try {
            return Class.forName(name, false, system.dynamicAccess().classLoader());
        } catch (ClassNotFoundException e) {
            return null; // that module is not on this JVM's classpath: none of its messages can arrive or leave here
        }
    }

    @Override
    public int identifier() { return IDENTIFIER; }

    @Override
    public String manifest(Object o) { return ""; }

    @Override
    public byte[] toBinary(Object o) {
        Kryo kryo = pool.obtain();
        try (Output out = new Output(256, 16 << 20)) {
            kryo.writeClassAndObject(out, o);
            return out.toBytes();
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        Kryo kryo = pool.obtain();
        try {
            return kryo.readClassAndObject(new BoundedInput(bytes)); // lengths bounded by the message's size
        } catch (RuntimeException e) {
            throw new NotSerializableException("cannot decode a Calisto message of " + bytes.length + " bytes: " + e.getMessage());
        } finally {
            pool.free(kryo);
        }
    }
}
