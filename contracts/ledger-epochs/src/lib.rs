//! The consensus ledger's epoch code. It is uploaded, never instantiated: the ledger runs it
//! with `delegate_call` (on the ledger's storage, as the ledger's account) for `run_epoch`
//! and `run_due_epochs`, so that each of the two code blobs stays within
//! the 64 KiB a contract may take. The rules are the ledger crate's; this is the shell that
//! gathers what the registry and staking know, runs them and makes the payouts.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

/// A freeing allocator: an epoch's working set fits in contract memory only if the
/// temporaries of one step are released before the next (see Cargo.toml).
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[ink::contract]
pub mod ledger_epochs {
    use bt_interfaces::calls::{
        registry_netuids_open, registry_neurons_page, registry_set_pruning_scores, staking_distribute, staking_uid_stakes,
        token_transfer,
    };
    use bt_interfaces::{AdminRole, LedgerError, NeuronSlot, SubnetView, MAX_PAYOUTS, MAX_STAKE_QUERY};
    use consensus_ledger::shell::{self, EpochReport, Wiring, EPOCHS_CODE_ID};
    use consensus_ledger::state::{LedgerState, MAX_EPOCH_UIDS};
    use ink::prelude::vec::Vec;

    /// The ledger's storage (`consensus_ledger::ConsensusLedger`), field for field and under
    /// the same name, which ink's storage keys derive from; `tests/layout.rs` compares the
    /// two layouts.
    #[ink(storage)]
    pub struct ConsensusLedger {
        state: LedgerState,
        admin: AdminRole,
        wiring: Option<Wiring>,
    }

    impl ConsensusLedger {
        /// Always refused: this code runs only inside the ledger (upload it, then pass its
        /// hash to the ledger's `configure`).
        #[ink(constructor)]
        pub fn new() -> Result<Self, LedgerError> {
            Err(LedgerError::NotEpochsCode)
        }

        /// Identifies this code to the ledger, which checks it before running it.
        #[ink(message)]
        pub fn epochs_code_id(&self) -> u32 {
            EPOCHS_CODE_ID
        }

        /// `ConsensusLedger::bonds`.
        #[ink(message)]
        pub fn bonds(&self, netuid: u16, uid: u16) -> Result<Option<(BlockNumber, Vec<(u16, u16)>)>, LedgerError> {
            Ok(self.state.bonds_of(netuid, uid).map(|r| (r.at, r.entries)))
        }

        /// `ConsensusLedger::run_epoch`.
        #[ink(message)]
        pub fn run_epoch(&mut self, netuid: u16) -> Result<EpochReport, LedgerError> {
            let wiring = self.wired()?;
            let view = shell::subnet_view(&wiring, netuid)?;
            self.epoch(&wiring, &view)
        }

        /// `ConsensusLedger::run_due_epochs`.
        #[ink(message)]
        pub fn run_due_epochs(&mut self, limit: u16) -> Result<u16, LedgerError> {
            let wiring = self.wired()?;
            let now = self.env().block_number();
            let netuids = registry_netuids_open(wiring.registry).ok_or(LedgerError::CallFailed)?;
            let mut ran: u16 = 0;
            for (netuid, _) in netuids {
                if ran >= limit {
                    break;
                }
                let view = shell::subnet_view(&wiring, netuid)?;
                if self.state.blocks_until_epoch(netuid, view.hyperparams.tempo, now).unwrap_or(0) == 0 {
                    self.epoch(&wiring, &view)?;
                    ran = ran.saturating_add(1);
                }
            }
            Ok(ran)
        }

        fn epoch(&mut self, wiring: &Wiring, view: &SubnetView) -> Result<EpochReport, LedgerError> {
            let now = self.env().block_number();
            if let Some(left) = self.state.blocks_until_epoch(view.netuid, view.hyperparams.tempo, now) {
                if left > 0 {
                    return Err(LedgerError::EpochNotDue { blocks_left: left });
                }
            }
            shell::pull_emission(&mut self.state, wiring)?;
            let slots = Self::slots(wiring, view)?;
            let stakes = Self::stakes(wiring, view.netuid, &slots)?;
            let result = self.state.run_epoch(view, &slots, &stakes, now)?;
            registry_set_pruning_scores(wiring.registry, view.netuid, result.pruning_scores.clone())
                .map_err(|e| e.map_or(LedgerError::CallFailed, LedgerError::Registry))?;
            let mut paid: Balance = 0;
            for page in result.payouts.chunks(usize::try_from(MAX_PAYOUTS).unwrap_or(128)) {
                let amount = staking_distribute(wiring.staking, view.netuid, page.to_vec())
                    .map_err(|e| e.map_or(LedgerError::CallFailed, LedgerError::Staking))?;
                paid = paid.checked_add(amount).ok_or(LedgerError::Overflow)?;
            }
            // One transfer for every page (staking does not look at its balance meanwhile).
            if paid > 0 {
                token_transfer(wiring.token, wiring.staking, paid).map_err(|_| LedgerError::TransferFailed)?;
            }
            if result.owner_cut > 0 {
                token_transfer(wiring.token, view.owner, result.owner_cut).map_err(|_| LedgerError::TransferFailed)?;
            }
            shell::emit(self.state.finish_epoch(view.netuid, now, &result, paid)?);
            Ok(EpochReport {
                netuid: view.netuid,
                accrued: result.accrued,
                owner_cut: result.owner_cut,
                paid,
                payouts: u32::try_from(result.payouts.len()).unwrap_or(u32::MAX),
            })
        }

        fn slots(wiring: &Wiring, view: &SubnetView) -> Result<Vec<NeuronSlot>, LedgerError> {
            let mut slots = Vec::with_capacity(usize::from(view.n));
            while slots.len() < usize::from(view.n) {
                let start = u16::try_from(slots.len()).map_err(|_| LedgerError::SubnetTooLarge)?;
                let page = registry_neurons_page(wiring.registry, view.netuid, start).ok_or(LedgerError::CallFailed)?;
                if page.is_empty() {
                    break;
                }
                slots.extend(page);
                if slots.len() > usize::from(MAX_EPOCH_UIDS) {
                    return Err(LedgerError::SubnetTooLarge);
                }
            }
            Ok(slots)
        }

        fn stakes(wiring: &Wiring, netuid: u16, slots: &[NeuronSlot]) -> Result<Vec<Balance>, LedgerError> {
            let mut stakes = Vec::with_capacity(slots.len());
            for page in slots.chunks(usize::try_from(MAX_STAKE_QUERY).unwrap_or(256)) {
                let start = u16::try_from(stakes.len()).map_err(|_| LedgerError::SubnetTooLarge)?;
                let hotkeys = page.iter().map(|s| s.hotkey).collect();
                stakes.extend(staking_uid_stakes(wiring.staking, netuid, start, hotkeys).ok_or(LedgerError::CallFailed)?);
            }
            Ok(stakes)
        }

        fn wired(&self) -> Result<Wiring, LedgerError> {
            self.wiring.ok_or(LedgerError::NotConfigured)
        }
    }
}
