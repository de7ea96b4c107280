/**
 * The transparency-log formats the audit trail is provable in, written from their specifications: RFC 9162
 * Merkle trees and proofs ({@link dev.credledger.events.tlog.Merkle}), C2SP signed notes with Ed25519
 * ({@link dev.credledger.events.tlog.NoteKey}, {@link dev.credledger.events.tlog.SignedNote}) and C2SP tlog
 * checkpoints ({@link dev.credledger.events.tlog.Checkpoint}). Tested against the vectors of implementations this
 * project did not write (transparency-dev/merkle, golang.org/x/mod/sumdb/note, the C2SP examples).
 */
package dev.credledger.events.tlog;
