/**
 * The edge between the domain records of {@link dev.credledger.events.model} and the generated Avro
 * classes: one mapper in each direction, so that nothing else touches the Avro classes.
 */
package dev.credledger.events.mapping;
