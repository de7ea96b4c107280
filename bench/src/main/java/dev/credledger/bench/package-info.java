/** Benchmarks of the quality bars in DESIGN.md §5, each with a baseline from the same run. */
package dev.credledger.bench;
