/** Reads of an account's API access and credentials, answered by the instance that owns the account. */
package dev.credledger.api.views;
