/**
 * What every HTTP feature builds on: problems, strict JSON, input checks, client addresses, routing of reads to the
 * instance that owns an account, bounded expensive reads and graceful shutdown. The command gateway
 * ({@code commands}) and the data keys that seal webhook and signing secrets ({@code keys}) sit beside it; the
 * features themselves live in their own packages and modules, and {@code dev.credledger.api.server} assembles them.
 */
package dev.credledger.api;
