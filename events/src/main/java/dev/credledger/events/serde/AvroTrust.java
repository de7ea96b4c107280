package dev.credledger.events.serde;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro 1.12 only instantiates classes from trusted packages. Adds the ledger's generated classes
 * ({@code dev.credledger.events.avro} and its subpackages) to whatever is trusted already, once per JVM, and nothing else.
 */
final class AvroTrust {

    private static final String GENERATED_PACKAGE = "dev.credledger.events.avro";
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private AvroTrust() {}

    static void ensureGeneratedClassesTrusted() {
        if (DONE.compareAndSet(false, true)) {
            ClassSecurityPredicate ours = type -> type.getPackageName().equals(GENERATED_PACKAGE)
                    || type.getPackageName().startsWith(GENERATED_PACKAGE + ".");
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ours));
        }
    }
}
