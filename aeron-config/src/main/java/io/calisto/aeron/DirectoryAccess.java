package io.calisto.aeron;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.stream.Stream;

/**
 * Who may open the Aeron directory: the trust boundary of the dataplane (README "Trust boundary"). Whoever can open
 * it can read every app's packets, write into its streams and its core slots. By default only the dataplane's user:
 * directories 0700, files 0600. With {@code calisto.aeron.group} (apps running as another user) that group too:
 * directories 02750 (setgid, so files created later inherit the group), files 0660 (an Aeron client maps cnc.dat,
 * log buffers and core slots read-write). Others get nothing in either case.
 *
 * <p>The modes come from the process umask while the embedded driver runs ({@link #umask}): Aeron creates its files
 * with {@code FileChannel.open} and has no setting for their mode, and deletes and re-creates its directory on start,
 * so a directory made beforehand would not survive. {@link #secure} then sets the group and the setgid bit.
 *
 * @param group the group name, or {@code null} for the dataplane's user alone
 */
public record DirectoryAccess(String group) {
    public static final DirectoryAccess PRIVATE = new DirectoryAccess(null);
    private static final int DIR_PRIVATE = 0700, FILE_PRIVATE = 0600, DIR_GROUP = 02750, FILE_GROUP = 0660;

    /** From {@code calisto.aeron.group}: empty for none; a group this host does not know is refused, naming the key. */
    public static DirectoryAccess from(Config aeron) {
        String group = aeron.getString("group").trim();
        if (group.isEmpty()) return PRIVATE;
        lookup(group);
        return new DirectoryAccess(group);
    }

    /** The umask under which the driver creates its files: 077, or 007 with a group (read-write for the group). */
    public int umask() { return group == null ? 077 : 007; }

    /**
     * Sets the modes of {@code dir} and of everything in it (the driver has made cnc.dat, the loss report and the
     * publications/images directories by now): nothing is left to others, and with a group, its members may open it.
     */
    public void secure(Path dir) {
        GroupPrincipal g = group == null ? null : lookup(group);
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.toList()) {
                boolean isDir = Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (g != null) Files.setAttribute(p, "posix:group", g, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                // "unix:mode" because PosixFilePermission has no setgid bit
                Files.setAttribute(p, "unix:mode", isDir ? (g == null ? DIR_PRIVATE : DIR_GROUP) : (g == null ? FILE_PRIVATE : FILE_GROUP));
            }
        } catch (java.nio.file.FileSystemException e) {
            // chgrp to a group the user is not in (and is not root): the setting cannot work for this user
            if (g != null) throw new IllegalArgumentException("calisto.aeron.group: cannot give the Aeron directory to group '" + group + "': "
                + (e.getReason() == null ? e.getMessage() : e.getReason()) + " (the dataplane's user must be a member)");
            throw new UncheckedIOException("cannot set the modes of the Aeron directory " + dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the modes of the Aeron directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static GroupPrincipal lookup(String group) {
        try {
            return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (IOException e) {
            throw new IllegalArgumentException("calisto.aeron.group: no group named '" + group + "' on this host");
        }
    }
}
