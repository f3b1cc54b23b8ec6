package io.calisto.control.stat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The dataplane's counters as {@code calisto stat} read them from the Aeron counters file at one moment (each value
 * exact, the whole not one atomic snapshot, as {@code GetStats}). Serialized with Jackson as it stands.
 */
@JsonPropertyOrder({"port", "apps"})
public record CounterSnapshot(Port port, List<App> apps) {

    /** The IO core's port: packets received, transmitted, replies from apps, drops by reason label. */
    @JsonPropertyOrder({"rx", "tx", "replies", "drops"})
    public record Port(long rx, long tx, long replies, Map<String, Long> drops) {}

    /**
     * One registered app: per core, then scheduler decisions (grants, yields, preemptions, revokes), flows in its
     * table, flow-table entries expired, table-full fallbacks to modulo, migrated flows (-1: tracking off), drops.
     */
    @JsonPropertyOrder({"name", "id", "cores", "grants", "yields", "preemptions", "revokes", "flows", "expired", "fallbacks",
        "migrations", "drops"})
    public record App(String name, int id, List<Core> cores, long grants, long yields, long preemptions, long revokes,
                      long flows, long expired, long fallbacks, long migrations, Map<String, Long> drops) {
        @JsonIgnore
        public long delivered() { return cores.stream().mapToLong(Core::delivered).sum(); }
    }

    /** One core of an app: frames dispatched to it, packets its handler got, packets waiting, its core-slot state. */
    @JsonPropertyOrder({"core", "dispatched", "delivered", "queued", "state"})
    public record Core(int core, long dispatched, long delivered, long queued, String state) {}
}
