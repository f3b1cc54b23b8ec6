package io.calisto.tests;

import io.calisto.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.IoUtil;

/** {@code calisto serve} in a JVM of its own, as a user starts it; its stdout and stderr collected line by line. */
final class ServeProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready management=pekko://calisto@([^ ]+):(\\d+) aeron-dir=(.+)");

    final Process process;
    final Path aeronDir;
    private final StringBuffer out = new StringBuffer(), err = new StringBuffer();
    private final Thread outReader, errReader;
    private String host;
    private int port;

    private ServeProcess(Process process, Path aeronDir) {
        this.process = process;
        this.aeronDir = aeronDir;
        outReader = drain(process.getInputStream(), out, "serve-stdout");
        errReader = drain(process.getErrorStream(), err, "serve-stderr");
    }

    /** Starts {@code serve ARGS --aeron-dir <fresh dir under /dev/shm>} and waits for its ready line. */
    static ServeProcess start(String... args) throws IOException, InterruptedException {
        return start(java.util.Map.of(), args);
    }

    /** As {@link #start(String...)}, with {@code env} added to the process's environment. */
    static ServeProcess start(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        ServeProcess p = launch(env, args);
        p.awaitReady();
        return p;
    }

    /** Starts {@code serve ARGS --aeron-dir <fresh dir>} without waiting: several can start at once, then {@link #awaitReady}. */
    static ServeProcess launch(String... args) throws IOException {
        return launch(java.util.Map.of(), args);
    }

    static ServeProcess launch(java.util.Map<String, String> env, String... args) throws IOException {
        Path dir = Path.of("/dev/shm", "calisto-servetest-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        List<String> cmd = cli("serve", "--aeron-dir", dir.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return new ServeProcess(pb.start(), dir);
    }

    /** {@code ./calisto ARGS} as the launcher starts it: this JVM's java and class path, the launcher's JVM options. */
    static List<String> cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
            "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
            "java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    void awaitReady() throws InterruptedException { awaitReady(90); }

    void awaitReady(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Matcher m = READY.matcher(out);
            if (m.find()) {
                host = m.group(1);
                port = Integer.parseInt(m.group(2));
                if (!m.group(3).strip().equals(aeronDir.toString())) throw new AssertionError("ready line names another Aeron dir: " + m.group());
                return;
            }
            if (!process.isAlive()) break;
            Thread.sleep(20);
        }
        close();
        throw new AssertionError("serve printed no ready line; exit " + (process.isAlive() ? "(running)" : process.exitValue())
            + "\nstdout:\n" + out + "\nstderr:\n" + err);
    }

    String endpoint() { return host + ":" + port; }

    int port() { return port; }

    String out() { return out.toString(); }

    String err() { return err.toString(); }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) throw new AssertionError("serve still running after " + seconds + " s\nstdout:\n" + out + "\nstderr:\n" + err);
        // the readers may still be copying the last lines: they end at the pipes' end
        outReader.join(10_000);
        errReader.join(10_000);
        return process.exitValue();
    }

    private static Thread drain(InputStream in, StringBuffer into, String name) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in))) {
                for (String line; (line = r.readLine()) != null; ) into.append(line).append('\n');
            } catch (IOException ignored) {
                // the process is gone
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (Files.exists(aeronDir)) IoUtil.delete(aeronDir.toFile(), true);
        try {
            Files.deleteIfExists(Path.of(aeronDir + ".lock"));
        } catch (IOException ignored) {
            // best effort
        }
    }
}
