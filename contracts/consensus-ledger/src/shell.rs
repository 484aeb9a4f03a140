//! What the ledger contract and its epoch code (`contracts/ledger-epochs`, run by the ledger
//! with `delegate_call`) both do with the environment: the wiring they read, the emission
//! pull, the subnet lookup and the events they emit.
use crate::events::{EpochRun, RootEpochRun, RootMemberAdded, WeightsCommitted, WeightsSet};
use crate::state::{LedgerEvent, LedgerState};
use bt_interfaces::calls::{registry_subnet, token_burn, token_mint_emission};
use bt_interfaces::{AccountId, Balance, LedgerError, SubnetView};
use ink::env::DefaultEnvironment;
use ink::prelude::vec::Vec;
use ink::primitives::Hash;

/// What `epochs_code_id` answers: the ledger checks it before it runs a code hash as its
/// epoch code, so a wrong hash (another contract's code, an older layout) is refused.
/// Changes whenever the ledger's storage layout or the epoch messages change.
pub const EPOCHS_CODE_ID: u32 = 1;

/// The other contracts the ledger talks to and its epoch code, fixed at wiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Wiring {
    pub token: AccountId,
    pub registry: AccountId,
    pub staking: AccountId,
    pub epochs: EpochsCode,
}

/// The uploaded `ledger_epochs` code the ledger runs its subnet epochs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct EpochsCode {
    pub hash: Hash,
    /// The `EPOCHS_CODE_ID` the code answered when it was set. A ledger upgraded since to a
    /// layout with another id runs no epoch until its own epoch code is set.
    pub id: u32,
    /// A change announced with `announce_epochs_code` (the same delay as the ledger's code).
    pub pending: Option<bt_interfaces::PendingUpgrade>,
}

/// What one epoch moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct EpochReport {
    pub netuid: u16,
    /// Emission the subnet had accrued.
    pub accrued: Balance,
    pub owner_cut: Balance,
    /// Paid to miners, validators and nominators through staking.
    pub paid: Balance,
    pub payouts: u32,
}

/// Mints every block's emission since the last pull and credits it at the current shares.
/// Runs before any share changes, so a share applies only to blocks after it.
pub fn pull_emission(state: &mut LedgerState, wiring: &Wiring) -> Result<(), LedgerError> {
    let minted = token_mint_emission(wiring.token).map_err(|e| e.map_or(LedgerError::CallFailed, LedgerError::Token))?;
    let unclaimable = state.add_emission(minted);
    if unclaimable > 0 {
        // No subnet existed for these blocks: the TAO goes back to the unissued supply.
        token_burn(wiring.token, unclaimable).map_err(|_| LedgerError::TransferFailed)?;
    }
    Ok(())
}

pub fn subnet_view(wiring: &Wiring, netuid: u16) -> Result<SubnetView, LedgerError> {
    registry_subnet(wiring.registry, netuid).ok_or(LedgerError::CallFailed)?.ok_or(LedgerError::SubnetNotFound)
}

pub fn emit(events: Vec<LedgerEvent>) {
    fn put<E: ink::env::Event>(event: E) {
        ink::env::emit_event::<DefaultEnvironment, E>(event)
    }
    for event in events {
        match event {
            LedgerEvent::WeightsSet { netuid, uid } => put(WeightsSet { netuid, uid }),
            LedgerEvent::WeightsCommitted { netuid, hotkey, hash } => put(WeightsCommitted { netuid, hotkey, hash }),
            LedgerEvent::EpochRun { netuid, block, emission, owner_cut, paid } => {
                put(EpochRun { netuid, block, emission, owner_cut, paid })
            }
            LedgerEvent::RootEpochRun { block, voted } => put(RootEpochRun { block, voted }),
            LedgerEvent::RootMemberAdded { hotkey, replaced } => put(RootMemberAdded { hotkey, replaced }),
        }
    }
}
