package io.calisto.aeron;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The JDK's own resolver, counting every name or address lookup (installed for aeron-config's tests through
 * META-INF/services): lets a test assert that parsing a rule never asked DNS.
 */
public final class RecordingResolverProvider extends InetAddressResolverProvider {
    /** Lookups made in this JVM since it started. */
    public static final AtomicLong LOOKUPS = new AtomicLong();

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                LOOKUPS.incrementAndGet();
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                LOOKUPS.incrementAndGet();
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() { return "recording"; }
}
