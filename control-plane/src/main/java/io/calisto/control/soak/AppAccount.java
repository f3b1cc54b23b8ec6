package io.calisto.control.soak;

import java.util.Map;

/**
 * One soak app's account at the end of a run: what the port sent to its destination port, what its handlers got,
 * what the dataplane dropped against it by reason ({@link io.calisto.aeron.DropReason} labels, non-zero ones only), and,
 * once it has left the dataplane, the rest of its port's packets, which matched no app ({@code no-app}).
 * {@code role} is {@code good} for the soak's own apps, else the fault ({@link FaultyApps#ROLES}); {@code faults}
 * counts the fault's own events (throws, stalls), {@code handlerErrors} what the dataplane counted as the handler
 * throwing (-1 for an app in another JVM: its runtime is not here).
 */
public record AppAccount(String app, String role, long sent, long delivered, Map<String, Long> drops, boolean left, long afterLeaving,
                         long faults, long handlerErrors, long reordered, long overlapped, String note) {

    public long dropped() { return drops.values().stream().mapToLong(Long::longValue).sum(); }

    /** Sent = delivered + dropped (+ no-app once it left): its packets all accounted for. */
    public boolean accounted() { return sent == delivered + dropped() + afterLeaving && (left || afterLeaving == 0) && afterLeaving >= 0; }

    public String line(String policy) {
        StringBuilder d = new StringBuilder();
        drops.forEach((reason, n) -> d.append(d.isEmpty() ? "" : " ").append(reason).append('=').append(n));
        return "APP policy=" + policy + " app=" + app + " role=" + role + " sent=" + sent + " delivered=" + delivered + " dropped=" + dropped()
            + " (" + (d.isEmpty() ? "none" : d) + ")" + (left ? " no-app-after-leaving=" + afterLeaving : "")
            + (handlerErrors > 0 ? " handler-errors=" + handlerErrors : "") + " reordered=" + reordered + " overlapped=" + overlapped
            + " accounted=" + (accounted() ? "yes" : "NO") + (note.isEmpty() ? "" : "; " + note);
    }
}
