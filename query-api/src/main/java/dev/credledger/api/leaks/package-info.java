/**
 * Leak reports from secret scanners (GitHub's secret-scanning partner program format): the check of their
 * signatures. Work in progress (issue 15): the {@code POST /v1/leaks} route builds on this.
 */
package dev.credledger.api.leaks;
