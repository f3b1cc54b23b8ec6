package io.calisto.core.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.Pool;
import com.typesafe.config.Config;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pekko's wire format for every Calisto message that crosses JVMs (management commands, replies, events): Kryo with
 * registration required, so an unknown class is refused rather than instantiated. The classes and their ids are listed
 * in one place per module, {@code calisto.serialization.kryo-ids} in that module's reference.conf (HOCON objects merge,
 * so control-plane adds its messages to core-actors' list); ids are the wire format, never renumbered. A JVM that
 * lacks a module (an app JVM without control-plane) skips that module's classes. Typed {@link ActorRef}s travel as
 * their serialization format string. Kryo instances are not thread-safe: a pool.
 *
 * <p>Hostile bytes (anyone who reaches an Artery endpoint can send them): every length a message claims (a string, an
 * array, a collection, a map) is checked against the bytes left in it before anything is allocated for it
 * ({@link BoundedInput}, {@link BoundedSerializers}), and nesting deeper than {@link #MAX_DEPTH} is refused, so the
 * work and memory a message costs are bounded by its size, and Artery's {@code maximum-frame-size} bounds that. A
 * message that does not decode becomes {@link Undecodable#MESSAGE} instead of an exception: Pekko would log each failure
 * with a stack trace, so a flood of garbage would flood the log. It is counted ({@link #undecodable()}) and logged the
 * first time and at every power of two; no actor of ours handles it, so Pekko drops it as unhandled.
 */
public final class KryoSerializer extends SerializerWithStringManifest {
    /** Pekko serializer id; ids below 100 belong to Pekko. */
    public static final int IDENTIFIER = 7_147_001;

    /** Deepest object graph a message may have (the deepest of ours, Management.Stats, is about 6 levels). */
    static final int MAX_DEPTH = 32;

    private static final Logger LOG = LoggerFactory.getLogger(KryoSerializer.class);

    /** What a message that does not decode is delivered as: nothing handles it, so it is dropped as unhandled. */
    public enum Undecodable { MESSAGE }

    private final ExtendedActorSystem system;
    private final AtomicLong undecodable = new AtomicLong();
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
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(MAX_DEPTH);
        ImmutableCollectionsSerializers.registerSerializers(kryo);
        ActorRefResolver resolver = ActorRefResolver.get(Adapter.toTyped(system));
        kryo.addDefaultSerializer(ActorRef.class, new TypedActorRefSerializer(resolver));
        for (var e : ids.entrySet()) {
            Class<?> c = load(e.getKey());
            if (c != null) kryo.register(c, e.getValue());
        }
        BoundedSerializers.install(kryo, ids.values().stream().mapToInt(Integer::intValue).max().orElse(0));
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
    public Object fromBinary(byte[] bytes, String manifest) {
        Kryo kryo = pool.obtain();
        boolean ok = false;
        try {
            Object o = kryo.readClassAndObject(new BoundedInput(bytes));
            ok = true;
            return o;
        } catch (RuntimeException e) {
            long n = undecodable.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.warn("dropped an undecodable Calisto message of {} bytes ({} so far, logged at powers of two): {}", bytes.length, n, e.toString());
            }
            // a Kryo that failed mid-message may keep half-read state: reused only if reset leaves it clean (most refusals
            // come before any generic type is pushed), else dropped; building a new one per bad message would make a
            // flood of garbage cost a Kryo construction each
            kryo.reset();
            ok = kryo.getGenerics().getGenericTypesSize() == 0;
            return Undecodable.MESSAGE;
        } finally {
            if (ok) pool.free(kryo);
        }
    }

    /** Messages that did not decode since this actor system started (each dropped, see the class comment). */
    public long undecodable() { return undecodable.get(); }

    /** The Calisto serializer of {@code system}. */
    public static KryoSerializer of(org.apache.pekko.actor.typed.ActorSystem<?> system) {
        return (KryoSerializer) SerializationExtension.get(Adapter.toClassic(system)).serializerByIdentity().apply(IDENTIFIER);
    }
}
