package io.calisto.cli;

import io.aeron.CommonContext;
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
 * released by the kernel if the holder dies), and no live media driver in the directory ({@code cnc.dat} heartbeat
 * within Aeron's driver timeout: a {@code run} or an external driver using it). Another live dataplane's directory
 * is never deleted.
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
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
            if (CommonContext.isDriverActive(d.toFile(), CommonContext.DEFAULT_DRIVER_TIMEOUT_MS, s -> {})) {
                lock.release();
                ch.close();
                throw new UserError("Aeron directory " + dir + " has a live media driver (another dataplane uses it); pick another with --aeron-dir");
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
