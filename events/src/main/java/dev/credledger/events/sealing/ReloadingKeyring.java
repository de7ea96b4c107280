package dev.credledger.events.sealing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyring of a sealing key file, read again when the file changes (checked at most once a second, on
 * use), so that a KEK rotation needs no restart: a new first key wraps from then on, and the older ones keep
 * unwrapping until they are removed. A changed file that does not load (a half-edited file, a wrong mode) is
 * logged and the keys loaded before stay in use.
 */
public final class ReloadingKeyring implements KeyEncryptionKey {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyring.class);
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

    private final Path file;
    private volatile FileKeyring ring;
    private volatile FileTime loadedStamp;
    private volatile FileTime failedStamp;
    private volatile long nextCheck;

    private final java.util.function.Consumer<FileKeyring> onLoad;

    public ReloadingKeyring(Path file, FileKeyring loaded) {
        this(file, loaded, ring -> { });
    }

    /** As above; {@code onLoad} hears the first keyring and every one loaded after (to publish which KEK wraps). */
    public ReloadingKeyring(Path file, FileKeyring loaded, java.util.function.Consumer<FileKeyring> onLoad) {
        this.file = file;
        this.ring = loaded;
        this.onLoad = onLoad;
        onLoad.accept(loaded);
        this.loadedStamp = stamp();
        this.nextCheck = System.nanoTime() + CHECK_EVERY_NANOS;
    }

    private FileKeyring current() {
        long now = System.nanoTime();
        if (now - nextCheck >= 0) {
            synchronized (this) {
                if (now - nextCheck >= 0) {
                    nextCheck = now + CHECK_EVERY_NANOS;
                    FileTime stamp = stamp();
                    if (stamp != null && !stamp.equals(loadedStamp)) {
                        // Tried again every second until it loads: a mode fixed with chmod does not change the mtime.
                        try {
                            FileKeyring reloaded = FileKeyring.load(file);
                            ring = reloaded;
                            onLoad.accept(reloaded);
                            loadedStamp = stamp;
                            failedStamp = null;
                            LOG.info("Sealing keys reloaded from {}: {} wraps, {} unwrap", file, reloaded.currentId(), reloaded.ids());
                        } catch (RuntimeException e) {
                            if (!stamp.equals(failedStamp)) {
                                LOG.warn("The sealing key file {} changed but does not load ({}); keeping {} and trying "
                                        + "again every second", file, e.getMessage(), ring.ids());
                                failedStamp = stamp;
                            }
                        }
                    }
                }
            }
        }
        return ring;
    }

    private FileTime stamp() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String currentId() {
        return current().currentId();
    }

    @Override
    public boolean canUnwrap(String kekId) {
        return current().canUnwrap(kekId);
    }

    @Override
    public Wrapped wrap(byte[] dataKey, byte[] associatedData) {
        return current().wrap(dataKey, associatedData);
    }

    @Override
    public byte[] unwrap(String kekId, byte[] wrapped, byte[] associatedData) {
        return current().unwrap(kekId, wrapped, associatedData);
    }

    @Override
    public String toString() {
        return "ReloadingKeyring[" + file + "]";
    }
}
