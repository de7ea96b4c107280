/** The audit trail: pages of an account's hash-chained records, bounded per page and per caller. */
package dev.credledger.api.audit;
