package io.calisto.core.serial;

/**
 * Marker of every message that may cross JVMs (Pekko remoting): bound to {@link KryoSerializer} in reference.conf,
 * so none of them ever falls back to Java serialization (which is off).
 */
public interface CalistoMessage {}
