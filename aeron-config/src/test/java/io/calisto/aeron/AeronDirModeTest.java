package io.calisto.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.calisto.aeron.ffm.Umask;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Aeron directory is the trust boundary: after the embedded driver started and a stream and a core-slot file
 * exist, nothing in it is open to other users (their modes, and user nobody's {@code cat} through runuser), or, with
 * {@code calisto.aeron.group}, open to that group alone.
 */
class AeronDirModeTest {
    private final String dir = "/dev/shm/calisto-modetest-" + ProcessHandle.current().pid();

    @AfterEach
    void removeDir() throws Exception {
        if (Files.isSymbolicLink(Path.of(dir))) Files.delete(Path.of(dir));
        org.agrona.IoUtil.delete(new File(dir), true);
    }

    @Test
    void theDirectoryAndEveryFileInItAreTheUsersAloneAndNobodyCannotReadALogBuffer() throws Exception {
        int before = Umask.get();
        try (EmbeddedDriver driver = EmbeddedDriver.launch(dir, DirectoryAccess.PRIVATE);
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
             Subscription sub = aeron.addSubscription("aeron:ipc?term-length=64k", 1001);
             Publication pub = aeron.addPublication("aeron:ipc?term-length=64k", 1001)) {
            CoreSlot.mapped(Path.of(dir, "calisto-app-1.slots"), 2, true);
            Map<String, String> modes = modes();
            assertEquals(Map.of(
                ".", "700 dir", "cnc.dat", "600", "loss-report.dat", "600", "images", "700 dir", "publications", "700 dir",
                "publications/N.logbuffer", "600", "calisto-app-1.slots", "600"), modes);
            Run cat = asNobody(List.of("cat", logBuffer().toString()));
            assertTrue(cat.exit != 0 && cat.err.contains("Permission denied"), "nobody read a log buffer: " + cat);
        }
        assertEquals(before, Umask.get(), "the process's umask is put back when the driver closes");
    }

    @Test
    void withAGroupTheTreeIsThatGroupsAndItsMemberNobodyCanReadButNotChangeTheDirectory() throws Exception {
        assumeTrue(groupExists("nogroup"), "no group nogroup on this host");
        try (EmbeddedDriver driver = EmbeddedDriver.launch(dir, new DirectoryAccess("nogroup"));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
             Subscription sub = aeron.addSubscription("aeron:ipc?term-length=64k", 1001);
             Publication pub = aeron.addPublication("aeron:ipc?term-length=64k", 1001)) {
            CoreSlot.mapped(Path.of(dir, "calisto-app-1.slots"), 2, true); // made after secure(): the setgid bit gives it the group
            assertEquals(Map.of(
                ".", "2750 dir nogroup", "cnc.dat", "660 nogroup", "loss-report.dat", "660 nogroup", "images", "2750 dir nogroup",
                "publications", "2750 dir nogroup", "publications/N.logbuffer", "660 nogroup", "calisto-app-1.slots", "660 nogroup"),
                modes());
            Run cat = asNobody(List.of("head", "-c", "16", logBuffer().toString()));
            assertEquals(0, cat.exit, "nobody (group nogroup) reads the log buffer: " + cat);
            Run touch = asNobody(List.of("touch", dir + "/planted"));
            assertTrue(touch.exit != 0 && touch.err.contains("Permission denied"), "the group may not add files: " + touch);
        }
    }

    @Test
    void anUnknownGroupIsRefusedNamingTheKeyAndEmptyMeansTheUserAlone() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> DirectoryAccess.from(com.typesafe.config.ConfigFactory.parseString("group = no-such-group-here")));
        assertEquals("calisto.aeron.group: no group named 'no-such-group-here' on this host", e.getMessage());
        assertEquals(DirectoryAccess.PRIVATE, DirectoryAccess.from(com.typesafe.config.ConfigFactory.parseString("group = \"\"")));
        assertEquals(077, DirectoryAccess.PRIVATE.umask());
    }

    @Test
    void anotherUsersDirectoryOrASymbolicLinkIsRefusedAndLeftAlone() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "giving a directory to user nobody needs root");
        // what another user may plant in /dev/shm, where everyone can create names: an empty directory of theirs
        Path theirs = Files.createDirectory(Path.of(dir));
        Files.setAttribute(theirs, "posix:owner", theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> EmbeddedDriver.launch(dir));
        assertEquals("Aeron directory " + dir + " belongs to another user (uid 65534, we are 0): refusing to use it; name a new or empty "
            + "directory of ours", e.getMessage());
        assertTrue(Files.isDirectory(theirs), "left alone");
        Files.delete(theirs);
        // or a link to somewhere else
        Path target = Files.createTempDirectory("calisto-link-target");
        Files.createSymbolicLink(Path.of(dir), target);
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> EmbeddedDriver.launch(dir));
        assertEquals("Aeron directory " + dir + " is a symbolic link: refusing to follow it; name the directory itself", e.getMessage());
        assertTrue(Files.isSymbolicLink(Path.of(dir)) && Files.isDirectory(target), "left alone");
        Files.delete(Path.of(dir));
        Files.delete(target);
    }

    @Test
    void aDeadDataplanesDirectoryOfAnotherUserIsNotRemoved() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "giving a directory to user nobody needs root");
        Path shm = Files.createTempDirectory("calisto-shm");
        Path mine = Files.createDirectory(shm.resolve("calisto-999999991")), theirs = Files.createDirectory(shm.resolve("calisto-999999992"));
        Files.writeString(mine.resolve("cnc.dat"), ""); // no driver heartbeat in it: a dead one's
        Files.writeString(theirs.resolve("cnc.dat"), "");
        var nobody = shm.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setAttribute(theirs, "posix:owner", nobody);
        try {
            assertEquals(1, EmbeddedDriver.removeStale(shm.toFile()));
            assertTrue(!Files.exists(mine) && Files.isDirectory(theirs), "ours removed, theirs left");
        } finally {
            org.agrona.IoUtil.delete(shm.toFile(), true);
        }
    }

    /** Mode (octal), "dir", and the group when it is not root's, per path relative to the directory; log buffers as N. */
    private Map<String, String> modes() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> tree = Files.walk(Path.of(dir))) {
            for (Path p : tree.toList()) {
                String rel = Path.of(dir).relativize(p).toString().replaceAll("[0-9-]+\\.logbuffer$", "N.logbuffer");
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                String group = Files.getAttribute(p, "posix:group", LinkOption.NOFOLLOW_LINKS).toString();
                out.put(rel.isEmpty() ? "." : rel, Integer.toOctalString(mode) + (Files.isDirectory(p) ? " dir" : "")
                    + (group.equals("root") ? "" : " " + group));
            }
        }
        return out;
    }

    private Path logBuffer() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(dir, "publications"))) {
            return files.findFirst().orElseThrow();
        }
    }

    private record Run(int exit, String err) {}

    /** Runs {@code command} as user nobody; skipped (with why) where that cannot be done. */
    private static Run asNobody(List<String> command) throws Exception {
        assumeTrue(new File("/usr/sbin/runuser").canExecute() || new File("/sbin/runuser").canExecute(), "no runuser on this host");
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "runuser needs root");
        assumeTrue(new ProcessBuilder("id", "nobody").start().waitFor() == 0, "no user nobody on this host");
        List<String> cmd = new java.util.ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), err);
    }

    private static boolean groupExists(String group) {
        try {
            Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
