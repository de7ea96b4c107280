/**
 * Envelope encryption of the secrets the ledger must be able to use (private salts): each secret sealed with
 * AES-256-GCM under a data key of its account and environment, each data key wrapped by a key-encryption key
 * (KEK) that never leaves its {@link dev.credledger.events.sealing.KeyEncryptionKey}. Only the JDK's own crypto.
 */
package dev.credledger.events.sealing;
