//! The epoch code runs on the ledger's storage: its storage struct must lay out exactly as
//! the ledger's, or an epoch would read and write other cells than the ledger's messages.
use ink::metadata::layout::Layout;
use ink::primitives::Key;
use ink::storage::traits::StorageLayout;

fn layout<T: StorageLayout>() -> Layout {
    T::layout(&Key::default())
}

#[test]
fn epoch_code_storage_is_the_ledgers() {
    assert_eq!(
        layout::<ledger_epochs::ledger_epochs::ConsensusLedger>(),
        layout::<consensus_ledger::consensus_ledger::ConsensusLedger>(),
    );
}
