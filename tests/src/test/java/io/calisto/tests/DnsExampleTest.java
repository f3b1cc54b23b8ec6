package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.calisto.examples.dns.DnsServer;
import io.calisto.io.ffm.DpdkPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DNS example as a user runs it: {@code calisto serve --port dpdk} on net_af_packet over a veth in a namespace of
 * its own (a JVM of its own), the example app {@link DnsServer} in a second JVM registered over Pekko remoting, and
 * real {@code dig} queries from a client namespace on the veth's other end. Checks the answers (A, AAAA with a
 * mixed-case name, NODATA, NXDOMAIN, REFUSED out of zone, NOTIMP for NOTIFY), that the app set its own core limits and
 * logged its own core events, its counts after SIGTERM, and serve's exact accounting at its own SIGTERM.
 */
class DnsExampleTest {
    final String id = Long.toString(ProcessHandle.current().pid() % 100000);
    final String dpNs = "calisto-dnsdp-" + id, clNs = "calisto-dnscl-" + id, dpIf = "ddp" + id, clIf = "dcl" + id;
    ServeProcess serve;
    Process dns;
    final StringBuffer dnsOut = new StringBuffer(), dnsErr = new StringBuffer();
    Path work;

    @BeforeEach
    void namespaces() throws Exception {
        Assumptions.assumeTrue(DpdkPort.available(), () -> "DNS example test skipped: " + DpdkPort.unavailableReason());
        // dig is not optional: .ci/run installs dnsutils
        assertTrue(Files.isExecutable(Path.of("/usr/bin/dig")) || run("sh", "-c", "command -v dig").exit == 0,
            "dig not found: install dnsutils (apt-get install dnsutils; .ci/run does)");
        work = Files.createTempDirectory("calisto-dns-test");
        VethPair.create(dpNs, clNs, dpIf, clIf);
    }

    @AfterEach
    void cleanup() throws Exception {
        if (dns != null && dns.isAlive()) dns.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (serve != null) serve.close();
        VethPair.delete(dpNs, clNs);
        if (work != null) {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(work);
        }
    }

    @Test
    void digGetsAuthoritativeAnswersFromTheExampleAppInItsOwnJvm() throws Exception {
        Path conf = work.resolve("serve.conf");
        Files.writeString(conf, "calisto.dpdk.netns = \"" + dpNs + "\"\ncalisto.io.idle-strategy = backoff\n");
        serve = ServeProcess.start("--port", "dpdk", "--dpdk-port", "net_af_packet0", "--bind", "127.0.0.1:0", "--config", conf.toString(),
            "--eal", "-l 0 --no-huge -m 256 --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error --file-prefix=calisto-dns-" + id
                + " --vdev=net_af_packet0,iface=" + dpIf);
        Path zone = Path.of("..", "examples", "example.zone").toAbsolutePath().normalize();
        assertTrue(Files.isReadable(zone), zone + " (the example's zone file)");
        dns = new ProcessBuilder(javaCommand(DnsServer.class.getName(), "--dataplane", "pekko://calisto@" + serve.endpoint(), "--zone", zone.toString()))
            .start();
        drain(dns.getInputStream(), dnsOut);
        drain(dns.getErrorStream(), dnsErr);
        awaitLine(dnsOut, "dns ready: zone example.com. (4 names, 5 records) on UDP port 53");
        String out = dnsOut.toString();
        assertTrue(out.contains("dns: registered as app 'dns' (id "), out);
        assertTrue(out.contains("dns: set its core limits through the management actor: dns limits guaranteed=1 burstable=2"), out);

        Dig a = dig("www.example.com", "A");
        assertEquals("NOERROR", a.status, a.text);
        assertTrue(a.flags.contains("aa"), a.text);
        assertEquals(List.of("www.example.com. 60 IN A 192.0.2.10"), a.answers, a.text);

        Dig aaaa = dig("WWW.Example.COM", "AAAA");
        assertEquals("NOERROR", aaaa.status, aaaa.text);
        assertTrue(aaaa.flags.contains("aa"), aaaa.text);
        assertEquals(List.of("WWW.Example.COM. 60 IN AAAA 2001:db8::10"), aaaa.answers, "case-insensitive; the question echoed as asked\n" + aaaa.text);

        Dig apex = dig("example.com", "A");
        assertEquals(List.of("example.com. 300 IN A 192.0.2.1"), apex.answers, apex.text);

        Dig nodata = dig("v6only.example.com", "A");
        assertEquals("NOERROR", nodata.status, nodata.text);
        assertTrue(nodata.flags.contains("aa"), nodata.text);
        assertEquals(List.of(), nodata.answers, "NODATA: a name we have, no A record\n" + nodata.text);

        Dig nx = dig("nope.example.com", "A");
        assertEquals("NXDOMAIN", nx.status, nx.text);
        assertTrue(nx.flags.contains("aa"), nx.text);

        Dig refused = dig("www.example.org", "A");
        assertEquals("REFUSED", refused.status, refused.text);
        assertTrue(!refused.flags.contains("aa"), refused.text);

        Dig notify = dig("example.com", "SOA", "+opcode=notify");
        assertEquals("NOTIMP", notify.status, notify.text);

        // the app logged its own core events (at least the guarantee grant that its limits change caused)
        awaitLine(dnsErr, "core event: CoreGranted");

        // SIGTERM: the app unregisters, prints its counts and exits 0
        long sigterm = System.nanoTime();
        // SIGTERM through the handle: Process.destroy() would also close our ends of its pipes and lose its last lines
        assertTrue(dns.toHandle().destroy());
        assertTrue(dns.waitFor(90, TimeUnit.SECONDS), "dns still running after SIGTERM\n" + dnsOut + dnsErr);
        System.out.printf("dns app exited %d ms after SIGTERM, exit code %d%n", (System.nanoTime() - sigterm) / 1_000_000, dns.exitValue());
        assertEquals(0, dns.exitValue(), "the app's own exit code after unregistering\n" + dnsOut + dnsErr);
        awaitLine(dnsOut, "dns: stopped; noerror=4 formerr=0 servfail=0 nxdomain=1 notimp=1 refused=1 badvers=0");
        assertTrue(Pattern.compile("reply-failed=0").matcher(dnsOut).find(), dnsOut.toString());

        assertTrue(serve.process.toHandle().destroy());
        assertEquals(0, serve.awaitExit(60), serve.out() + serve.err());
        assertTrue(serve.out().matches("(?s).*unaccounted\\s+0\\b.*"), serve.out());
        // the seven queries came back out of the dataplane's port as seven replies (the app has unregistered by now)
        assertTrue(serve.out().matches("(?s).*replies\\s+7\\s+transmitted 7\\b.*"), serve.out());
    }

    /** One dig from the client namespace: its status, flags and answer lines (whitespace collapsed). */
    record Dig(String status, List<String> flags, List<String> answers, String text) {}

    Dig dig(String name, String type, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", clNs, "dig", "@10.77.0.1", "-p", "53", "+tries=1", "+time=5"));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of(name, type));
        Result r = run(cmd.toArray(String[]::new));
        System.out.println("$ " + String.join(" ", cmd) + "\n" + r.out); // the transcript, in the surefire output file
        Matcher status = Pattern.compile("status: ([A-Z]+)").matcher(r.out);
        Matcher flags = Pattern.compile(";; flags:([a-z ]*);").matcher(r.out);
        if (r.exit != 0 || !status.find() || !flags.find()) {
            fail("dig " + name + " " + type + " got no answer (exit " + r.exit + "):\n" + r.out + "\ndns app:\n" + dnsOut + dnsErr + "\nserve:\n" + serve.out() + serve.err());
        }
        List<String> answers = new ArrayList<>();
        boolean inAnswer = false;
        for (String line : r.out.split("\n")) {
            if (line.startsWith(";; ANSWER SECTION:")) inAnswer = true;
            else if (line.isBlank()) inAnswer = false;
            else if (inAnswer) answers.add(line.strip().replaceAll("\\s+", " "));
        }
        return new Dig(status.group(1), List.of(flags.group(1).strip().split(" ")), answers, r.out);
    }

    static List<String> javaCommand(String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
            "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
            "java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    void awaitLine(StringBuffer text, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean ended = false;
        while (System.nanoTime() < deadline && text.indexOf(expected) < 0) {
            if (dns != null && !dns.isAlive()) {
                if (ended) break;
                ended = true; // its readers may still be copying the last lines
                Thread.sleep(1000);
                continue;
            }
            Thread.sleep(50);
        }
        if (text.indexOf(expected) >= 0) return;
        fail("no '" + expected + "'\ndns app stdout:\n" + dnsOut + "\ndns app stderr:\n" + dnsErr + "\nserve:\n" + serve.out() + serve.err());
    }

    static void drain(InputStream in, StringBuffer into) {
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) into.append(line).append('\n');
            } catch (IOException ignored) {
                // the process is gone
            }
        });
    }

    record Result(int exit, String out) {}

    static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) { // generous: on a loaded 2-CPU machine even dig's exit can take seconds
            p.destroyForcibly();
            return new Result(-1, out);
        }
        return new Result(p.exitValue(), out);
    }

    static String sh(String... cmd) throws Exception {
        Result r = run(cmd);
        if (r.exit != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.out);
        return r.out;
    }
}
