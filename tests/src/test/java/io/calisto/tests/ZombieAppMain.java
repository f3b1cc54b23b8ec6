package io.calisto.tests;

import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.remote.RemoteApp;
import java.util.concurrent.atomic.LongAdder;

/**
 * A remote app that counts the packets its handler saw: {@code ZombieAppMain DATAPLANE_ADDRESS}, matching
 * {@code dst-port=7} on 1..2 cores. Prints {@code @registered ID} once served, {@code @handled N} every 50 ms, and,
 * once it stopped serving (its core-actors stopped), {@code @terminated N CAUSE}: N is then final.
 */
public final class ZombieAppMain {
    public static void main(String[] args) throws Exception {
        LongAdder handled = new LongAdder();
        RemoteApp app = RemoteApp.connect(args[0], new AppSpec("zombie", MatchRule.parse("dst-port=7"), core -> ctx -> handled.increment()), 1, 2);
        app.terminated().whenComplete((v, e) -> say("@terminated " + handled.sum() + " " + (e == null ? "closed" : e.getCause())));
        say("@registered " + app.appId());
        while (true) {
            say("@handled " + handled.sum());
            Thread.sleep(50);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
