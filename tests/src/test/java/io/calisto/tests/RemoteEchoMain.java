package io.calisto.tests;

import com.typesafe.config.ConfigFactory;
import io.calisto.core.demo.EchoApp;
import io.calisto.core.remote.RemoteApp;

/**
 * The echo app as a separate JVM: {@code RemoteEchoMain DATAPLANE_ADDRESS} (e.g. {@code pekko://calisto@127.0.0.1:25520}).
 * Connects over Pekko remoting with 1..2 cores, prints "registered ID" once active and serves until killed.
 */
public final class RemoteEchoMain {
    public static void main(String[] args) throws Exception {
        RemoteApp app = RemoteApp.connect(args[0], EchoApp.spec(ConfigFactory.load().getConfig("calisto.demo")), 1, 2);
        System.out.println("registered " + app.appId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
