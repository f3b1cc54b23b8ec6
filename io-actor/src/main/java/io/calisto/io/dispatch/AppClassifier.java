package io.calisto.io.dispatch;

import io.calisto.aeron.MatchRule;
import io.calisto.io.parse.ParsedPacket;

/** Finds the application a parsed packet belongs to: the first registered rule that matches wins. */
public final class AppClassifier {
    public static final int NO_APP = -1;
    private final MatchRule[] rules = new MatchRule[io.calisto.aeron.Streams.MAX_APPS];
    private final int[] appIds = new int[io.calisto.aeron.Streams.MAX_APPS];
    private int count;

    public void add(int appId, MatchRule rule) {
        if (count == rules.length) throw new IllegalStateException("too many applications (max " + rules.length + ")");
        rules[count] = rule;
        appIds[count++] = appId;
    }

    public boolean remove(int appId) {
        for (int i = 0; i < count; i++) {
            if (appIds[i] == appId) {
                System.arraycopy(rules, i + 1, rules, i, count - i - 1);
                System.arraycopy(appIds, i + 1, appIds, i, count - i - 1);
                rules[--count] = null;
                return true;
            }
        }
        return false;
    }

    public int classify(ParsedPacket p) {
        for (int i = 0; i < count; i++) {
            if (rules[i].matches(p.dstMac, p.ipVersion, p.dstIpHi, p.dstIpLo, p.protocol, p.hasPorts, p.dstPort)) return appIds[i];
        }
        return NO_APP;
    }
}
