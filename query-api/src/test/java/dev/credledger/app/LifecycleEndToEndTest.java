package dev.credledger.app;

import dev.credledger.api.Http;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lifecycle on the embedded default: real in-process broker, registry, Streams and HTTP. */
class LifecycleEndToEndTest extends LifecycleSpec {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    @Override
    protected Http http() {
        return LEDGER.http();
    }
}
