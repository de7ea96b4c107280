/**
 * Webhook MACs computed by the ledger with an environment's private salt, which it keeps only sealed
 * ({@code dev.credledger.events.sealing}): the data keys of sealed salts, and the MAC routes.
 */
package dev.credledger.api.signing;
