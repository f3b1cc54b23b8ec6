package io.calisto.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * SIGINT and SIGTERM as a request to stop, not an immediate JVM exit: {@code serve} and {@code run} drain, print their
 * summary and choose their exit code (a JVM shutdown hook would end with 130/143). Falls back to a shutdown hook where
 * the JVM keeps the signals to itself ({@code -Xrs}).
 */
final class Signals {
    private Signals() {}

    /** Undoes {@link #onTermination}: the previous handlers are back (commands run in-process in tests, one after another). */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Calls {@code handler} with the signal's name on SIGINT or SIGTERM. With the shutdown-hook fallback the hook
     * also waits (up to a minute) for {@code finished}, so the drain and the summary happen before the JVM exits.
     */
    static Registration onTermination(Consumer<String> handler, java.util.concurrent.CompletableFuture<?> finished) {
        List<Runnable> undo = new ArrayList<>();
        boolean hooked = false;
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, s -> handler.accept("SIG" + s.getName()));
                undo.add(() -> sun.misc.Signal.handle(signal, previous));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                if (hooked) continue;
                hooked = true;
                Thread hook = new Thread(() -> {
                    handler.accept("JVM shutdown");
                    try {
                        finished.get(1, java.util.concurrent.TimeUnit.MINUTES);
                    } catch (Exception ignored) {
                        // exiting anyway
                    }
                }, "calisto-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                undo.add(() -> {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running: it waits for finished
                    }
                });
            }
        }
        return () -> undo.forEach(Runnable::run);
    }
}
