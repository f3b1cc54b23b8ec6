package io.calisto.control.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A soak app's own JVM ({@link SoakRemoteApp}), started with this JVM's java, classpath and the flags the launcher
 * gives. One reader thread per child takes its output: {@code @registered}, the last {@code @stats} line and an
 * {@code @evicted} notice; the other lines (its log) are kept, the last few, for error messages.
 */
final class ChildJvm implements AutoCloseable {
    private static final int KEEP_LINES = 40;
    private final Process process;
    private final CompletableFuture<String> registered = new CompletableFuture<>();
    private final ConcurrentLinkedDeque<String> log = new ConcurrentLinkedDeque<>();
    private volatile long[] stats = new long[4];
    private volatile String evicted;

    private ChildJvm(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("soak-child-" + process.pid()).start(this::read);
    }

    static ChildJvm start(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
            "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
            "java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            // a small app on a shared machine: one GC thread, no C2 compile threads competing with the dataplane
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
            "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("@stats ")) {
                    String[] f = line.substring(7).split(" ");
                    long[] s = new long[f.length];
                    for (int i = 0; i < f.length; i++) s[i] = Long.parseLong(f[i]);
                    stats = s;
                } else if (line.startsWith("@registered ")) {
                    registered.complete(line.substring(12));
                } else if (line.startsWith("@evicted ")) {
                    evicted = line.substring(9);
                } else {
                    log.addLast(line);
                    while (log.size() > KEEP_LINES) log.pollFirst();
                }
            }
        } catch (IOException | RuntimeException e) {
            log.addLast("(reading its output failed: " + e + ")");
        } finally {
            registered.completeExceptionally(new IllegalStateException("it exited before it registered"));
        }
    }

    /** Waits for its {@code @registered} line: from then on the dataplane serves it. */
    void awaitRegistered(Duration timeout) throws InterruptedException {
        try {
            registered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String why = e instanceof TimeoutException ? "did not register within " + timeout.toSeconds() + " s" : e.getCause().getMessage();
            throw new IllegalStateException("soak app JVM (pid " + process.pid() + ") " + why + "; its last lines:\n" + String.join("\n", log));
        }
    }

    long pid() { return process.pid(); }

    /** SIGKILL ({@code kill -9}); returns at once (the teardown of a JVM took 0.35 s here: the soak loop must not wait for it). */
    void kill() { process.destroyForcibly(); }

    /** SIGKILL, and waits until it is gone. */
    private void killAndWait() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends {@code SIG<name>} with {@code kill}; null when it was delivered, else why not. */
    String signal(String name) {
        try {
            Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
            String said = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return k.waitFor() == 0 ? null : "kill -" + name + " " + process.pid() + " failed: " + said;
        } catch (IOException e) {
            return "kill -" + name + " " + process.pid() + " could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while sending SIG" + name;
        }
    }

    /** Its order checker's last report: handled, reordered, overlapped, unchecked. */
    long[] stats() { return stats.clone(); }

    /** The reason in its {@code @evicted} line, or null if it printed none. */
    String evicted() { return evicted; }

    @Override
    public void close() { if (process.isAlive()) killAndWait(); }
}
