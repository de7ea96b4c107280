/**
 * The tamper-evident audit trail: one record per event (rejections included), chained per account by
 * SHA-256 over the previous hash and the record's canonical form, and the check that finds a break.
 */
package dev.credledger.processors.audit;
