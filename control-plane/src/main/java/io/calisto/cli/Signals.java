package io.calisto.cli;

import java.util.function.Consumer;

/**
 * SIGINT and SIGTERM as a request to stop, not an immediate JVM exit: {@code serve} drains, prints its summary and
 * chooses its exit code (a JVM shutdown hook would end with 130/143). Falls back to a shutdown hook where the JVM
 * keeps the signals to itself ({@code -Xrs}).
 */
final class Signals {
    private Signals() {}

    /**
     * Calls {@code handler} with the signal's name on SIGINT or SIGTERM. With the shutdown-hook fallback the hook
     * also waits (up to a minute) for {@code finished}, so the drain and the summary happen before the JVM exits.
     */
    static void onTermination(Consumer<String> handler, java.util.concurrent.CompletableFuture<?> finished) {
        boolean hooked = false;
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> handler.accept("SIG" + s.getName()));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                if (hooked) continue;
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    handler.accept("JVM shutdown");
                    try {
                        finished.get(1, java.util.concurrent.TimeUnit.MINUTES);
                    } catch (Exception ignored) {
                        // exiting anyway
                    }
                }, "calisto-stop"));
            }
        }
    }
}
