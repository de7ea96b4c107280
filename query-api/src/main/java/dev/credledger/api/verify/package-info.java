/** Token verification from the replicated lookup, never over the network. */
package dev.credledger.api.verify;
