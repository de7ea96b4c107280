/**
 * Webhook MACs computed by the ledger with an environment's private salt, which it keeps only sealed
 * ({@code dev.credledger.events.sealing}; its data keys are {@code dev.credledger.api.keys}), and the MAC
 * routes.
 */
package dev.credledger.api.signing;
