/**
 * An OpenID Shared Signals (SSF 1.0) transmitter: discovery metadata, the signing keys, stream management per
 * receiver, CAEP {@code credential-change} events as signed Security Event Tokens, delivered by push (RFC 8935, on
 * the delivery engine of {@code api.delivery}) or poll (RFC 8936).
 */
package dev.credledger.api.signals;
