/**
 * A small client for the Confluent Schema Registry REST API on {@link java.net.http.HttpClient}.
 * Confluent's own client is not on Maven Central; this one speaks the documented request and response
 * shapes ({@code application/vnd.schemaregistry.v1+json}) and works with any compatible registry.
 */
package dev.credledger.events.registry;
