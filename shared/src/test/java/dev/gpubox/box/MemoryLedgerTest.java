package dev.gpubox.box;

/** The ledger contract on the in-memory ledger local mode uses. */
class MemoryLedgerTest extends LedgerContract {
    @Override
    protected Ledger newLedger() {
        return new MemoryLedger();
    }
}
