package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code ./calisto} splits CALISTO_JAVA_OPTS as a shell would (quotes kept together), without word-splitting or eval. */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "calisto").toAbsolutePath().normalize();

    private static String[] launch(String opts) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString()).redirectErrorStream(true);
        pb.environment().put("CALISTO_JAVA_OPTS", opts);
        pb.environment().put("CALISTO_PRINT_JAVA_OPTS", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void aQuotedValueWithASpaceIsOneOption(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER.toString());
        String[] r = launch("-Dcalisto.demo.match=dst-port=7 -Dx=\"a b\"  -Dy='c  d' -Xmx1g");
        assertEquals("0", r[0], r[1]);
        assertEquals(List.of("-Dcalisto.demo.match=dst-port=7", "-Dx=a b", "-Dy=c  d", "-Xmx1g"), r[1].lines().toList());
        // nothing is expanded or run
        Path marker = dir.resolve("ran");
        r = launch("-Da=$(touch " + marker + ") -Db=`touch " + marker + "`");
        assertEquals("0", r[0], r[1]);
        assertTrue(!Files.exists(marker), "CALISTO_JAVA_OPTS was evaluated");
        // an unbalanced quote is one line, exit 2
        r = launch("-Dz=\"unterminated");
        assertEquals("2", r[0], r[1]);
        assertEquals(1, r[1].strip().lines().count(), r[1]);
        assertTrue(r[1].startsWith("calisto: CALISTO_JAVA_OPTS cannot be split"), r[1]);
    }

    /** bench/jmh and bench/batchpath-ab.sh run the JMH jar (Java 25 classes) on this java, whatever `java` is first on PATH. */
    @Test
    void printJavaNamesAJdk25EvenWhenAnOlderJavaIsFirstOnPath() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString()).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        Path old = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin");
        if (Files.isDirectory(old)) pb.environment().put("PATH", old + ":" + System.getenv("PATH"));
        pb.environment().put("CALISTO_PRINT_JAVA", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), out);
        assertEquals(1, out.lines().count(), out);
        Process v = new ProcessBuilder(out, "-version").redirectErrorStream(true).start();
        String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(v.waitFor(30, TimeUnit.SECONDS));
        var m = java.util.regex.Pattern.compile("version \"(\\d+)").matcher(version);
        assertTrue(m.find(), version);
        assertTrue(Integer.parseInt(m.group(1)) >= 25, out + ": " + version);
    }
}
