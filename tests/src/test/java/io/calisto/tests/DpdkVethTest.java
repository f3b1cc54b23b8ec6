package io.calisto.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.calisto.control.Dataplane;
import io.calisto.control.Ports;
import io.calisto.control.RunSummary;
import io.calisto.core.demo.EchoApp;
import io.calisto.io.ffm.NetNs;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real network path without a NIC: two network namespaces of our own joined by a veth pair. The dataplane runs on
 * DPDK's net_af_packet in one; a plain Java UDP client in the other sends N requests and must get N echoes.
 */
class DpdkVethTest {
    static final int REQUESTS = 200;
    final String id = Long.toString(ProcessHandle.current().pid() % 100000);
    final String dpNs = "calisto-dp-" + id, clNs = "calisto-cl-" + id, dpIf = "cdp" + id, clIf = "ccl" + id;

    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    @BeforeEach
    void namespaces() throws Exception {
        Assumptions.assumeTrue(io.calisto.io.ffm.DpdkPort.available(), () -> "veth test skipped: " + io.calisto.io.ffm.DpdkPort.unavailableReason());
        VethPair.create(dpNs, clNs, dpIf, clIf);
    }

    @AfterEach
    void cleanup() throws Exception {
        VethPair.delete(dpNs, clNs);
    }

    @Test
    void udpClientInAnotherNamespaceGetsEveryRequestEchoed() throws Exception {
        Config c = EndToEndTest.config(Map.of(
            "calisto.run.port", "dpdk",
            "calisto.dpdk.port", "net_af_packet0",
            "calisto.dpdk.netns", dpNs,
            "calisto.dpdk.eal-args", List.of("-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry",
                "--log-level=lib.eal:error", "--file-prefix=calisto-veth-" + id, "--vdev=net_af_packet0,iface=" + dpIf),
            "calisto.io.idle-strategy", "backoff"));
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "veth-apps", c);
        int echoed;
        RunSummary s;
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            dp.register(apps, EchoApp.spec(c.getConfig("calisto.demo")), 1, 1);
            dp.startRx();
            CompletableFuture<Integer> client = new CompletableFuture<>();
            Thread.ofPlatform().name("veth-client").start(() -> {
                try {
                    NetNs.enter(clNs);
                    client.complete(exchange());
                } catch (Throwable t) {
                    client.completeExceptionally(t);
                }
            });
            echoed = client.get(60, TimeUnit.SECONDS);
            dp.drainAndStop(Duration.ofSeconds(5));
            s = RunSummary.of(dp);
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
        assertEquals(REQUESTS, echoed);
        assertTrue(s.delivered() >= REQUESTS, s.toString());
        assertEquals(0, s.unaccounted(), s.toString());
    }

    /** Sends each request and waits for its echo (same payload, from the address it was sent to). */
    private static int exchange() throws Exception {
        int ok = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("10.77.0.2"), 0))) {
            socket.setSoTimeout(2000);
            InetSocketAddress server = new InetSocketAddress(InetAddress.getByName("10.77.0.1"), 7);
            byte[] in = new byte[1500];
            for (int i = 0; i < REQUESTS; i++) {
                byte[] req = ("calisto request " + i).getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(req, req.length, server));
                DatagramPacket reply = new DatagramPacket(in, in.length);
                socket.receive(reply);
                String got = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
                if (got.equals("calisto request " + i) && reply.getSocketAddress().equals(server)) ok++;
            }
        }
        return ok;
    }
}
