package io.calisto.core.serial;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A Kryo {@link Input} over one whole message that refuses a string claiming more characters than bytes remain, before
 * Kryo sizes its character buffer by the claim (Kryo 5.6 allocates {@code new char[claimed]} first: a 16-byte message
 * could ask for gigabytes). Every UTF-8 character takes at least one byte, so the claim can never be honest beyond that.
 * Arrays and collections are checked the same way by {@link BoundedSerializers}.
 */
final class BoundedInput extends Input {
    BoundedInput(byte[] message) { super(message); }

    /** Bytes of the message not read yet: an upper bound on the elements anything still to come can hold. */
    int remaining() { return limit - position; }

    @Override
    public String readString() {
        checkUtf8Length();
        return super.readString();
    }

    @Override
    public StringBuilder readStringBuilder() {
        checkUtf8Length();
        return super.readStringBuilder();
    }

    /** Peeks at a UTF-8 string's character count (Kryo's varint-flag form) and refuses it if the bytes left cannot hold it. */
    private void checkUtf8Length() {
        if (position == limit || (buffer[position] & 0x80) == 0) return; // nothing left (Kryo refuses), or ASCII: no count to trust
        int start = position;
        long claimed = Integer.toUnsignedLong(readVarIntFlag(true)) - 1;
        int left = remaining();
        position = start;
        if (claimed > left) throw new KryoException("a string claims " + claimed + " characters but the message has " + left + " bytes left");
    }
}
