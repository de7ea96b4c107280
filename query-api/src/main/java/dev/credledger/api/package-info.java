/**
 * The HTTP API's shared edge — assembly ({@link dev.credledger.api.LedgerApi}), access control by bearer
 * key, problems, strict JSON, input checks, routing of reads to the instance that owns an account, and
 * graceful shutdown — with one package per feature beside it: {@code commands}, {@code views},
 * {@code audit}, {@code verify}.
 */
package dev.credledger.api;
