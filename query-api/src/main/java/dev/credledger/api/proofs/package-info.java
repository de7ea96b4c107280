/**
 * The provable audit trail over HTTP: the verifier key, the signed checkpoints of the audit logs, RFC 9162
 * inclusion and consistency proofs, and the check of an account's hash chain.
 */
package dev.credledger.api.proofs;
