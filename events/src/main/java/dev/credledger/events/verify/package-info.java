/** The verification decision, shared by the ledger's {@code POST /v1/verify} and every revocation client. */
package dev.credledger.events.verify;
