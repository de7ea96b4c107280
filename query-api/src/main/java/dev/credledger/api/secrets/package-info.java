/** "Everything about this secret": by fingerprint, or by the plaintext hashed at the edge and forgotten. */
package dev.credledger.api.secrets;
