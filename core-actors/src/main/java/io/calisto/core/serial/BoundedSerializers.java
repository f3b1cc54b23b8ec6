package io.calisto.core.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Kryo's array, collection and map serializers size what they build by the length the message claims
 * ({@code new int[n]}, {@code new ArrayList(n)}, a {@code HashMap} of capacity n) before reading one element. Here every
 * such length is checked against the bytes left in the message first: an element takes at least one byte (a map entry
 * two), so a longer claim is a lie and the message is refused. What is allocated is then at most a few times the
 * message's size, which Artery's {@code maximum-frame-size} bounds.
 */
final class BoundedSerializers {
    private BoundedSerializers() {}

    /** Replaces the serializer of every array, collection and map class registered in {@code kryo} with ids up to {@code maxId}. */
    static void install(Kryo kryo, int maxId) {
        for (int id = 0; id <= maxId; id++) {
            Registration r = kryo.getRegistration(id);
            if (r == null) continue;
            Class<?> type = r.getType();
            if (type.isArray()) r.setSerializer(new LengthChecked<>(r.getSerializer()));
            else if (Collection.class.isAssignableFrom(type)) r.setSerializer(new CheckedCollection(collectionFinish(type)));
            else if (Map.class.isAssignableFrom(type)) r.setSerializer(new CheckedMap(mapFinish(type)));
        }
    }

    static void check(Input input, long claimed, int bytesPerElement, String what) {
        int left = input.limit() - input.position();
        if (claimed < 0 || claimed * bytesPerElement > left) {
            throw new KryoException("a " + what + " claims " + claimed + " elements but the message has " + left + " bytes left");
        }
    }

    /** Kryo's array serializers start with a varint of length + 1 (0 = null): peeked, checked, then the original reads. */
    static final class LengthChecked<T> extends Serializer<T> {
        private final Serializer<T> inner;

        LengthChecked(Serializer<T> inner) {
            super(inner.getAcceptsNull(), inner.isImmutable());
            this.inner = inner;
        }

        @Override
        public void write(Kryo kryo, Output output, T object) { inner.write(kryo, output, object); }

        @Override
        public T read(Kryo kryo, Input input, Class<? extends T> type) {
            int start = input.position();
            long claimed = Integer.toUnsignedLong(input.readVarInt(true)) - 1;
            input.setPosition(start);
            check(input, claimed, 1, type.getSimpleName());
            return inner.read(kryo, input, type);
        }

        @Override
        public T copy(Kryo kryo, T original) { return inner.copy(kryo, original); }
    }

    /** Reads into an ArrayList sized by the checked claim, then turns it into the registered class. */
    static final class CheckedCollection extends CollectionSerializer<Collection<Object>> {
        private final Function<ArrayList<Object>, Collection<Object>> finish;

        CheckedCollection(Function<ArrayList<Object>, Collection<Object>> finish) { this.finish = finish; }

        @Override
        protected Collection<Object> create(Kryo kryo, Input input, Class<? extends Collection<Object>> type, int size) {
            check(input, size, 1, type.getSimpleName());
            return new ArrayList<>(size);
        }

        @Override
        public Collection<Object> read(Kryo kryo, Input input, Class<? extends Collection<Object>> type) {
            Collection<Object> read = super.read(kryo, input, type);
            return read == null ? null : finish.apply((ArrayList<Object>) read);
        }
    }

    /** Reads into a LinkedHashMap (order kept) created only after the claim is checked, then the registered class. */
    static final class CheckedMap extends MapSerializer<Map<Object, Object>> {
        private final Function<LinkedHashMap<Object, Object>, Map<Object, Object>> finish;

        CheckedMap(Function<LinkedHashMap<Object, Object>, Map<Object, Object>> finish) { this.finish = finish; }

        @Override
        protected Map<Object, Object> create(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type, int size) {
            check(input, size, 2, type.getSimpleName());
            return new LinkedHashMap<>();
        }

        @Override
        public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
            Map<Object, Object> read = super.read(kryo, input, type);
            return read == null ? null : finish.apply((LinkedHashMap<Object, Object>) read);
        }
    }

    private static Function<ArrayList<Object>, Collection<Object>> collectionFinish(Class<?> type) {
        if (type == ArrayList.class) return l -> l;
        // List.of(...) and Set.of(...) classes (ImmutableCollectionsSerializers): unmodifiable again, as Kryo's own would be
        if (List.class.isAssignableFrom(type) && type.getName().startsWith("java.util.ImmutableCollections")) return List::copyOf;
        if (Set.class.isAssignableFrom(type) && type.getName().startsWith("java.util.ImmutableCollections")) return Set::copyOf;
        throw new IllegalArgumentException("calisto.serialization.kryo-ids: " + type.getName()
            + " is a collection whose length cannot be checked before it is allocated; use java.util.ArrayList or List.of");
    }

    private static Function<LinkedHashMap<Object, Object>, Map<Object, Object>> mapFinish(Class<?> type) {
        if (type == LinkedHashMap.class) return m -> m;
        if (type == HashMap.class) return HashMap::new;
        if (type.getName().startsWith("java.util.ImmutableCollections")) return Map::copyOf;
        throw new IllegalArgumentException("calisto.serialization.kryo-ids: " + type.getName()
            + " is a map whose size cannot be checked before it is allocated; use java.util.LinkedHashMap, HashMap or Map.of");
    }
}
