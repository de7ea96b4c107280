/** The per-account data keys, wrapped by the key-encryption key, that seal signing salts and delivery secrets. */
package dev.credledger.api.keys;
