package io.calisto.core.serial;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;

/**
 * Kryo input over one whole message that refuses a length the message cannot hold, before Kryo allocates for it.
 * Kryo sizes arrays, collections, maps and strings from a length it reads first ({@code readVarInt(true)} or
 * {@code readVarIntFlag(true)}), so a 16-byte message claiming 400,000,000 ints allocated 1.6 GB. Every element, at any
 * depth, takes at least one byte (a class id, a null mark, a varint, a char), so the lengths of one valid message add
 * up to at most its size: the budget is twice that plus a little, and a message over it is refused. Class ids are read
 * the same way but are not lengths ({@link ClassIds} marks them).
 */
final class BoundedInput extends Input {
    private long budget;
    private boolean classId;

    BoundedInput(byte[] message) {
        super(message);
        this.budget = 2L * message.length + 64;
    }

    @Override
    public int readVarInt(boolean optimizePositive) {
        int v = super.readVarInt(optimizePositive);
        if (optimizePositive) claim(v);
        return v;
    }

    @Override
    public int readVarIntFlag(boolean optimizePositive) {
        int v = super.readVarIntFlag(optimizePositive);
        if (optimizePositive) claim(v);
        return v;
    }

    private void claim(int length) {
        if (classId) {
            classId = false;
            return;
        }
        budget -= Integer.toUnsignedLong(length);
        if (budget < 0) {
            throw new KryoException("a length of " + Integer.toUnsignedString(length) + " is more than a message of " + limit + " bytes can hold");
        }
    }

    /** Kryo's class resolver, telling a {@link BoundedInput} that the varint it reads next is a class id, not a length. */
    static final class ClassIds extends DefaultClassResolver {
        @Override
        public Registration readClass(Input input) {
            if (input instanceof BoundedInput b) b.classId = true;
            return super.readClass(input);
        }
    }
}
