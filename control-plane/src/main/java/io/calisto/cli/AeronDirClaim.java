package io.calisto.cli;

import io.calisto.aeron.EmbeddedDriver;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code serve}'s claim on its Aeron directory, taken before the embedded media driver (which deletes the directory
 * on start) is launched: an OS lock on {@code DIR.lock} beside the directory (two serves starting at once: one wins;
 * released by the kernel if the holder dies), and a directory {@link EmbeddedDriver#checkDirectory} accepts (no live
 * media driver: {@code cnc.dat} heartbeat within Aeron's driver timeout, a {@code run} or an external driver using
 * it; and nothing that is not a dataplane's). Another live dataplane's directory, or a user's, is never deleted.
 */
final class AeronDirClaim implements AutoCloseable {
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private AeronDirClaim(Path lockFile, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    static AeronDirClaim claim(String dir) {
        Path d = Path.of(dir).toAbsolutePath().normalize();
        Path lockFile = d.resolveSibling(d.getFileName() + ".lock");
        FileChannel ch = null;
        try {
            Files.createDirectories(lockFile.getParent());
            // never through a link: /dev/shm is everyone's, and a planted DIR.lock link would have us create its target
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already
            }
            if (lock == null) {
                ch.close();
                throw new UserError("Aeron directory " + dir + " is in use by another calisto serve (" + lockFile + " is locked); pick another with --aeron-dir");
            }
            try {
                EmbeddedDriver.checkDirectory(d.toString()); // a live driver's, or not a dataplane's at all
            } catch (IllegalArgumentException e) {
                Files.deleteIfExists(lockFile); // ours, while still held: nothing of this attempt is left behind
                lock.release();
                ch.close();
                throw new UserError(e.getMessage() + "; pick another with --aeron-dir");
            }
            return new AeronDirClaim(lockFile, ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UserError("cannot lock the Aeron directory " + dir + ": " + e.getMessage());
        }
    }

    /** True once the directory is gone (the embedded driver deletes it on close). */
    static boolean gone(String dir) { return !new File(dir).exists(); }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(lockFile); // while still held: a serve waiting on it then takes a fresh file
            lock.release();
        } catch (IOException ignored) {
            // best effort: a stale lock file holds no lock once this process is gone
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
