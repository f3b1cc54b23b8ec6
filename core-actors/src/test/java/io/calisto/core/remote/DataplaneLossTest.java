package io.calisto.core.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.aeron.exceptions.DriverTimeoutException;
import java.time.Duration;
import org.agrona.concurrent.AgentTerminationException;
import org.junit.jupiter.api.Test;

/** What counts as losing the dataplane, and the line that says so (the end-to-end case is tests' DataplaneLossTest). */
class DataplaneLossTest {
    private static final String DP = "pekko://calisto@127.0.0.1:25520";

    @Test
    void anAeronClientThatClosesItselfAfterADriverTimeoutIsALossNamingTheTimeout() {
        DataplaneLoss loss = new DataplaneLoss(DP);
        loss.onError(new AgentTerminationException()); // the conductor ending: no news
        loss.onError(new DriverTimeoutException("MediaDriver keepalive: age=3151ms > timeout=3000ms"));
        assertFalse(loss.lost().isDone(), "the close handler reports, once the client closes");
        loss.onAeronClose();
        assertEquals("the dataplane's media driver stopped answering (the app's Aeron client closed itself: DriverTimeoutException: "
            + "FATAL - MediaDriver keepalive: age=3151ms > timeout=3000ms)", loss.lost().join());
        loss.onUnreachable(); // a second witness changes nothing
        assertEquals("the dataplane's media driver stopped answering (the app's Aeron client closed itself: DriverTimeoutException: "
            + "FATAL - MediaDriver keepalive: age=3151ms > timeout=3000ms)", loss.lost().join());
    }

    @Test
    void aCloseOfOurOwnIsNoLossButAnUnreachableDataplaneIs() {
        DataplaneLoss loss = new DataplaneLoss(DP);
        loss.closing();
        loss.onAeronClose();
        assertFalse(loss.lost().isDone());
        loss.onUnreachable();
        assertEquals("the dataplane at " + DP + " is unreachable (Pekko's watch failure detector took it for dead)", loss.lost().join());
    }

    @Test
    void theStopBoundAndTheAeronTimesAreReadOnceWithTheirUnits() {
        RemoteAppSettings d = RemoteAppSettings.from(ConfigFactory.load());
        assertEquals(new RemoteAppSettings(Duration.ofSeconds(10), 30_000, 5_000_000_000L), d);
        var e = assertThrows(IllegalArgumentException.class,
            () -> RemoteAppSettings.from(ConfigFactory.parseString("calisto.app.close-timeout = 10").withFallback(ConfigFactory.load())));
        assertEquals("calisto.app.close-timeout needs a unit (e.g. 10s, 500ms), was '10'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> RemoteAppSettings.from(ConfigFactory.parseString("calisto.aeron.close-linger = -1s").withFallback(ConfigFactory.load())));
        assertEquals("calisto.aeron.close-linger must not be negative, was -1s", e.getMessage());
    }
}
