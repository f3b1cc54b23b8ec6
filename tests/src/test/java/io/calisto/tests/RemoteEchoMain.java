package io.calisto.tests;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.calisto.aeron.Streams;
import io.calisto.core.demo.EchoApp;
import io.calisto.core.remote.RemoteApp;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The echo app as a separate JVM: {@code RemoteEchoMain AERON_DIR}. Prints "registered ID" and serves until killed. */
public final class RemoteEchoMain {
    public static void main(String[] args) throws Exception {
        Config c = ConfigFactory.load();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "remote-echo", c);
        Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(args[0]));
        RemoteApp app = RemoteApp.connect(system, EchoApp.spec(c.getConfig("calisto.demo")), aeron, Streams.from(c.getConfig("calisto.aeron")),
            1, 2, Duration.ofSeconds(20));
        System.out.println("registered " + app.appId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
