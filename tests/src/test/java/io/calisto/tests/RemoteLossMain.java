package io.calisto.tests;

import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.remote.RemoteApp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An app in a JVM of its own whose handler is inside a packet when its dataplane dies: {@code RemoteLossMain DATAPLANE}
 * (run with a short {@code calisto.aeron.driver-timeout} and a slow watch, so the Aeron client is what notices). The
 * first packet's handler prints "in handler", waits until the app heard of the loss (its Aeron client has closed itself
 * by then), waits 100 ms more and reads the packet's bytes: with the buffers unmapped under it that read is a SIGSEGV
 * (calisto.aeron.close-linger = 0); with the linger it prints what it read, and the app's terminated() gives the exit.
 */
public final class RemoteLossMain {
    private static final CompletableFuture<String> LOST = new CompletableFuture<>();

    public static void main(String[] args) throws Exception {
        var system = org.apache.pekko.actor.typed.ActorSystem.create(org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "loss-app",
            RemoteApp.remoteConfig(ConfigFactory.load()));
        RemoteApp app = RemoteApp.connect(system, args[0], new AppSpec("lossy", MatchRule.parse("dst-port=7"), core -> ctx -> {
            if (LOST.isDone()) return;
            System.out.println("in handler");
            System.out.flush();
            try {
                System.out.println("handler heard: " + LOST.get(60, TimeUnit.SECONDS));
                Thread.sleep(100); // past Aeron's own 16 ms before it unmaps, had it no linger
            } catch (Exception e) {
                System.out.println("handler: " + e);
            }
            long sum = 0;
            for (int i = 0; i < ctx.length(); i++) sum += ctx.buffer().getByte(ctx.offset() + i);
            System.out.println("handler read its packet after the client closed: " + (sum != Long.MIN_VALUE));
            System.out.flush();
        }), 1, 1, java.time.Duration.ofSeconds(20));
        app.evicted().thenAccept(LOST::complete);
        System.out.println("registered " + app.appId());
        System.out.flush();
        try {
            app.terminated().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            System.out.println("terminated: " + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
        }
        system.terminate();
        System.exit(3);
    }
}
