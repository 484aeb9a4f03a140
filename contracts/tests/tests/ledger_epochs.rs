//! The ledger runs its subnet epochs in a second code blob (`ledger_epochs`) with
//! `delegate_call`. That code acts with the ledger's storage and account, so the ledger must
//! run only the code it was wired with, keep that code from being removed under it, and
//! change it only in the open, like its own code.
use bt_interfaces::{LedgerError, UpgradeError, UPGRADE_DELAY};
use consensus_ledger::consensus_ledger::{EpochReport, Wiring};
use ink::primitives::{AccountId, Hash};
use suite_tests::{ink_account, wasm, AccountId32, Chain};

struct Ledger {
    chain: Chain,
    admin: AccountId32,
    ledger: AccountId32,
    /// Stand-ins for the token, registry and staking: wiring only stores their addresses.
    others: (AccountId, AccountId, AccountId),
}

impl Ledger {
    fn new() -> Self {
        let mut chain = Chain::new();
        let admin = chain.account();
        let ledger = chain.deploy(&admin, wasm("consensus_ledger"), "new", (), b"ledger").expect("ledger");
        let others = (ink_account(&chain.account()), ink_account(&chain.account()), ink_account(&chain.account()));
        Self { chain, admin, ledger, others }
    }

    fn call(&mut self, who: &AccountId32, message: &str, args: impl parity_scale_codec::Encode) -> Result<(), LedgerError> {
        self.chain.query::<Result<(), LedgerError>>(who, &self.ledger, message, args)
    }

    fn configure(&mut self, epochs: Hash) -> Result<(), LedgerError> {
        let (t, r, s) = self.others;
        let admin = self.admin.clone();
        self.call(&admin, "configure", (t, r, s, epochs))
    }

    fn wiring(&mut self) -> Option<Wiring> {
        let admin = self.admin.clone();
        self.chain.query(&admin, &self.ledger, "wiring", ())
    }
}

#[test]
fn the_ledger_runs_only_checked_epoch_code() {
    let mut l = Ledger::new();
    let admin = l.admin.clone();
    let unwired = l.chain.query::<Result<EpochReport, LedgerError>>(&admin, &l.ledger, "run_epoch", (1u16,));
    assert_eq!(unwired, Err(LedgerError::NotConfigured));

    // A hash with no code behind it, and another contract's code, are refused; nothing is wired.
    assert_eq!(l.configure(Hash::from([7; 32])), Err(LedgerError::NotEpochsCode));
    let staking_code = l.chain.upload(&admin, wasm("staking")).expect("upload staking");
    assert_eq!(l.configure(staking_code), Err(LedgerError::NotEpochsCode));
    assert_eq!(l.wiring(), None);

    // The epoch code cannot become a contract of its own.
    let instantiated = l.chain.deploy(&admin, wasm("ledger_epochs"), "new", (), b"epochs");
    assert!(instantiated.is_err(), "the epoch code was instantiated: {instantiated:?}");

    let epochs = l.chain.upload(&admin, wasm("ledger_epochs")).expect("upload epochs");
    assert_eq!(l.configure(epochs), Ok(()));
    assert_eq!(l.wiring().map(|w| w.epochs.hash), Some(epochs));
    assert_eq!(l.configure(epochs), Err(LedgerError::AlreadyConfigured));
}

#[test]
fn nobody_can_remove_the_epoch_code_from_under_the_ledger() {
    // Code belongs to whoever uploaded it first: an attacker who sees the deployer's upload
    // in the pool can upload the same code first, then remove it once nothing holds it.
    let mut l = Ledger::new();
    let attacker = l.chain.account();
    let unheld = l.chain.upload(&attacker, wasm("staking")).expect("attacker uploads other code");
    assert_eq!(l.chain.remove_code(&attacker, unheld), Ok(()), "code nothing holds is the uploader's to remove");
    let epochs = l.chain.upload(&attacker, wasm("ledger_epochs")).expect("attacker uploads");
    assert_eq!(l.configure(epochs), Ok(()));
    let removed = l.chain.remove_code(&attacker, epochs);
    assert!(removed.as_ref().is_err_and(|e| e.contains("CodeInUse")), "removing the ledger's epoch code: {removed:?}");
}

#[test]
fn the_epoch_code_changes_only_after_its_own_announced_delay() {
    let mut l = Ledger::new();
    let admin = l.admin.clone();
    let stranger = l.chain.account();
    let epochs = l.chain.upload(&admin, wasm("ledger_epochs")).expect("upload epochs");
    let staking_code = l.chain.upload(&admin, wasm("staking")).expect("upload staking");
    assert_eq!(l.configure(epochs), Ok(()));

    assert_eq!(l.call(&stranger, "announce_epochs_code", (Some(epochs),)), Err(LedgerError::Upgrade(UpgradeError::NotAdmin)));
    assert_eq!(l.call(&stranger, "set_epochs_code", (epochs,)), Err(LedgerError::Upgrade(UpgradeError::NotAdmin)));
    assert_eq!(l.call(&admin, "set_epochs_code", (epochs,)), Err(LedgerError::Upgrade(UpgradeError::NotAnnounced)));
    // The ledger's own code announcement does not cover the epoch code, nor the reverse.
    assert_eq!(l.call(&admin, "announce_code", (Some(epochs),)), Ok(()));
    l.chain.skip_blocks(UPGRADE_DELAY);
    assert_eq!(l.call(&admin, "set_epochs_code", (epochs,)), Err(LedgerError::Upgrade(UpgradeError::NotAnnounced)));
    // Nor can the ledger's code become the epoch code: the ledger would lose its messages.
    assert_eq!(l.call(&admin, "set_code", (epochs,)), Err(LedgerError::IsEpochsCode));

    assert_eq!(l.call(&admin, "announce_epochs_code", (Some(epochs),)), Ok(()));
    assert_eq!(
        l.call(&admin, "set_epochs_code", (epochs,)),
        Err(LedgerError::Upgrade(UpgradeError::NotDue { blocks_left: UPGRADE_DELAY }))
    );
    assert_eq!(l.wiring().and_then(|w| w.epochs.pending).map(|p| p.code_hash), Some(epochs));

    // Even a due announcement cannot make other code the epoch code.
    assert_eq!(l.call(&admin, "announce_epochs_code", (Some(staking_code),)), Ok(()));
    l.chain.skip_blocks(UPGRADE_DELAY);
    assert_eq!(l.call(&admin, "set_epochs_code", (staking_code,)), Err(LedgerError::NotEpochsCode));

    assert_eq!(l.call(&admin, "announce_epochs_code", (Some(epochs),)), Ok(()));
    l.chain.skip_blocks(UPGRADE_DELAY);
    assert_eq!(l.call(&admin, "set_epochs_code", (epochs,)), Ok(()));
    let wired = l.wiring().expect("wired").epochs;
    assert_eq!((wired.hash, wired.pending), (epochs, None));
    // Switching released the old lock and took the new one: the code is still held.
    let removed = l.chain.remove_code(&admin, epochs);
    assert!(removed.as_ref().is_err_and(|e| e.contains("CodeInUse")), "the epoch code became removable: {removed:?}");
}
