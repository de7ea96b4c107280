/**
 * Self-identifying secrets: generation from {@code SecureRandom}, the offline checksum test and the
 * fingerprint. The only place where a plaintext secret exists, and only at the edge that issues it.
 */
package dev.credledger.events.secret;
