package io.calisto.control.soak;

import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.remote.RemoteApp;

/**
 * A soak app in its own JVM, the process {@code soak --faults} kills or stops ({@link FaultyApps}):
 * {@code SoakRemoteApp DATAPLANE NAME DST_PORT GUARANTEED BURSTABLE FLOWS}. It registers over Pekko remoting, checks
 * per-flow order like every soak handler ({@link OrderChecker}, 5 us of service per packet), prints
 * {@code @registered APP_ID} once served and then {@code @stats HANDLED REORDERED OVERLAPPED UNCHECKED} every 100 ms
 * (the soak keeps the last one it read: a killed process reports nothing after its last line), and runs until killed.
 */
public final class SoakRemoteApp {
    static final long STATS_EVERY_MS = 100;

    private SoakRemoteApp() {}

    public static void main(String[] args) throws Exception {
        String dataplane = args[0], name = args[1];
        int port = Integer.parseInt(args[2]), guaranteed = Integer.parseInt(args[3]), burstable = Integer.parseInt(args[4]);
        OrderChecker checker = new OrderChecker(Integer.parseInt(args[5]));
        AppSpec spec = new AppSpec(name, MatchRule.parse("dst-port=" + port), core -> ctx -> {
            int token = checker.enter(ctx.rssHash(), OrderChecker.seqOf(ctx.buffer(), ctx.offset(), ctx.length()));
            PhasedLoad.burn(Soak.LOW_NANOS);
            checker.exit(token);
        });
        RemoteApp app = RemoteApp.connect(dataplane, spec, guaranteed, burstable);
        app.evicted().thenAccept(why -> say("@evicted " + why));
        say("@registered " + app.appId());
        while (true) {
            say("@stats " + checker.handled() + " " + checker.reordered() + " " + checker.overlapped() + " " + checker.unchecked());
            Thread.sleep(STATS_EVERY_MS);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
