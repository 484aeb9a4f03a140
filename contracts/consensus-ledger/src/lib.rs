//! The consensus ledger: where TAO is created and paid out. It keeps weights (set directly
//! or through commit-reveal), pulls emission from the token and accrues it to subnets by
//! share, runs each subnet's Yuma epoch (permissionless once due) and pays miners,
//! validators, nominators and subnet owners; root validators' votes set the subnet shares.
//!
//! Rules live in [`state`], [`weights`], [`commits`], [`accrual`] and [`root`]; the contract
//! below gathers what the registry and staking know, calls the rules, then makes the token
//! and staking calls they ask for and emits their events ([`shell`]).
//!
//! The subnet epochs (`run_epoch`, `run_due_epochs`) run in a second code blob,
//! `contracts/ledger-epochs`, which the ledger executes with `delegate_call` on its own
//! storage and account: one contract, two code blobs, each within the 64 KiB budget.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod accrual;
pub mod commits;
pub mod events;
pub mod pool_math;
pub mod root;
pub mod shell;
pub mod state;
pub mod weights;

#[ink::contract]
pub mod consensus_ledger {
    use crate::shell::{self, EPOCHS_CODE_ID};
    use crate::events::EpochsCodeAnnounced;
    pub use crate::shell::{EpochReport, EpochsCode, Wiring};
    use crate::state::{LedgerParams, LedgerState, UidOutput};
    use bt_interfaces::calls::{
        registry_neuron_axons_page, registry_netuids_open, registry_slot_of, staking_owner_of, staking_stakes,
        staking_uid_stakes, token_emission_info,
    };
    use bt_interfaces::{AdminRole, LedgerError, MetagraphEntry, NeuronSlot, SubnetHooks, SubnetView};
    use ink::env::call::{build_call, ExecutionInput, Selector};
    use ink::env::{CallFlags, DefaultEnvironment};
    use ink::prelude::vec::Vec;

    /// Metagraph rows per page (a page stays within ink!'s 16 KiB output buffer).
    pub const METAGRAPH_PAGE: u16 = bt_interfaces::NEURON_AXONS_PAGE;

    /// `contracts/ledger-epochs` declares this struct again, field for field, for the code it
    /// runs on this storage (its layout test compares the two).
    #[ink(storage)]
    pub struct ConsensusLedger {
        state: LedgerState,
        admin: AdminRole,
        wiring: Option<Wiring>,
    }

    impl ConsensusLedger {
        #[ink(constructor)]
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            Self { state: LedgerState::default(), admin: AdminRole::new(Self::env().caller()), wiring: None }
        }

        // ---- admin ----

        /// Admin only, once: the token, registry and staking addresses, and the hash of the
        /// uploaded `ledger_epochs` code that runs the epochs (locked as a delegate dependency,
        /// so nobody can remove it while the ledger needs it).
        #[ink(message)]
        pub fn configure(
            &mut self,
            token: AccountId,
            registry: AccountId,
            staking: AccountId,
            epochs: Hash,
        ) -> Result<(), LedgerError> {
            self.ensure_admin()?;
            if self.wiring.is_some() {
                return Err(LedgerError::AlreadyConfigured);
            }
            Self::check_epochs_code(epochs)?;
            self.env().lock_delegate_dependency(&epochs);
            let epochs = EpochsCode { hash: epochs, id: EPOCHS_CODE_ID, pending: None };
            self.wiring = Some(Wiring { token, registry, staking, epochs });
            Ok(())
        }

        /// Admin only: announces a new epoch code (`Some`) or cancels (`None`); it may be set
        /// with `set_epochs_code` from `UPGRADE_DELAY` blocks later. A ledger code upgrade that
        /// changes the epoch code too announces both, then sets both once due.
        #[ink(message)]
        pub fn announce_epochs_code(&mut self, code_hash: Option<Hash>) -> Result<(), LedgerError> {
            let mut wiring = self.wired()?;
            let (caller, block) = (self.env().caller(), self.env().block_number());
            let announced =
                self.admin.announce_in(&mut wiring.epochs.pending, caller, code_hash, block).map_err(LedgerError::Upgrade)?;
            self.wiring = Some(wiring);
            self.env().emit_event(EpochsCodeAnnounced { code_hash, effective_at: announced.effective_at });
            Ok(())
        }

        /// Admin only: switches the epoch code to `epochs` once its announcement
        /// (`announce_epochs_code`) is due.
        #[ink(message)]
        pub fn set_epochs_code(&mut self, epochs: Hash) -> Result<(), LedgerError> {
            let mut wiring = self.wired()?;
            let (caller, block) = (self.env().caller(), self.env().block_number());
            self.admin.take_due_in(&mut wiring.epochs.pending, caller, epochs, block).map_err(LedgerError::Upgrade)?;
            Self::check_epochs_code(epochs)?;
            self.env().unlock_delegate_dependency(&wiring.epochs.hash);
            self.env().lock_delegate_dependency(&epochs);
            wiring.epochs.hash = epochs;
            wiring.epochs.id = EPOCHS_CODE_ID;
            self.wiring = Some(wiring);
            Ok(())
        }

        /// Admin only: owner cut, root tempo and root sigmoid, root weights rate limit.
        #[ink(message)]
        pub fn set_params(&mut self, params: LedgerParams) -> Result<(), LedgerError> {
            self.ensure_admin()?;
            self.state.set_params(params);
            Ok(())
        }

        #[ink(message)]
        pub fn transfer_admin(&mut self, to: AccountId) -> Result<(), LedgerError> {
            if self.admin.transfer(self.env().caller(), to) { Ok(()) } else { Err(LedgerError::NotAdmin) }
        }

        #[ink(message)]
        pub fn renounce_admin(&mut self) -> Result<(), LedgerError> {
            if self.admin.renounce(self.env().caller()) { Ok(()) } else { Err(LedgerError::NotAdmin) }
        }

        /// Admin only: announces new code (`Some`) or cancels the announcement (`None`). The
        /// upgrade may be applied with `set_code` from `UPGRADE_DELAY` blocks later.
        #[ink(message)]
        pub fn announce_code(&mut self, code_hash: Option<Hash>) -> Result<(), LedgerError> {
            let (caller, block) = (self.env().caller(), self.env().block_number());
            let event = self.admin.announce_upgrade(caller, code_hash, block).map_err(LedgerError::Upgrade)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Admin only: replaces this contract's code with the announced `code_hash` once the
        /// announcement is due (storage layout must stay compatible). Refuses the epoch code,
        /// which would leave the ledger without its messages for good.
        #[ink(message)]
        pub fn set_code(&mut self, code_hash: Hash) -> Result<(), LedgerError> {
            let (caller, block) = (self.env().caller(), self.env().block_number());
            self.admin.take_due_upgrade(caller, code_hash, block).map_err(LedgerError::Upgrade)?;
            if Self::epochs_code_id(code_hash).is_some() {
                return Err(LedgerError::IsEpochsCode);
            }
            self.env().set_code_hash(&code_hash).map_err(|_| LedgerError::CallFailed)
        }

        /// The announced upgrade, if any.
        #[ink(message)]
        pub fn pending_upgrade(&self) -> Option<bt_interfaces::PendingUpgrade> {
            self.admin.pending_upgrade()
        }

        // ---- weights ----

        /// The caller (a registered hotkey) sets its weights on `netuid`'s UIDs.
        #[ink(message)]
        pub fn set_weights(&mut self, netuid: u16, uids: Vec<u16>, values: Vec<u16>, version_key: u64) -> Result<(), LedgerError> {
            let (view, uid, slot) = self.prelude(netuid, uids.len(), values.len())?;
            let stake = self.stake_of(slot.hotkey)?;
            let events =
                self.state.set_weights(&view, uid, &slot, stake, self.env().block_number(), &uids, &values, version_key)?;
            self.emit(events);
            Ok(())
        }

        /// The caller commits to weights it will reveal in a later epoch (commit-reveal
        /// subnets). `hash` is `commit_hash(...)` of the weights.
        #[ink(message)]
        pub fn commit_weights(&mut self, netuid: u16, hash: [u8; 32]) -> Result<(), LedgerError> {
            let (view, uid, slot) = self.prelude(netuid, 0, 0)?;
            let events = self.state.commit_weights(&view, uid, &slot, self.env().block_number(), hash)?;
            self.emit(events);
            Ok(())
        }

        /// The caller reveals committed weights in their reveal epoch.
        #[ink(message)]
        pub fn reveal_weights(
            &mut self,
            netuid: u16,
            uids: Vec<u16>,
            values: Vec<u16>,
            salt: Vec<u16>,
            version_key: u64,
        ) -> Result<(), LedgerError> {
            let (view, uid, slot) = self.prelude(netuid, uids.len(), values.len())?;
            let stake = self.stake_of(slot.hotkey)?;
            let now = self.env().block_number();
            let events = self.state.reveal_weights(&view, uid, &slot, stake, now, &uids, &values, &salt, version_key)?;
            self.emit(events);
            Ok(())
        }

        /// The hash `commit_weights` expects (what off-chain code computes with
        /// `consensus_ledger::commits::commit_hash`).
        #[ink(message)]
        pub fn commit_hash(
            &self,
            hotkey: AccountId,
            netuid: u16,
            uids: Vec<u16>,
            values: Vec<u16>,
            salt: Vec<u16>,
            version_key: u64,
        ) -> [u8; 32] {
            crate::commits::commit_hash(&hotkey, netuid, &uids, &values, &salt, version_key)
        }

        // ---- epochs (run by the epoch code: `contracts/ledger-epochs`) ----

        /// Runs `netuid`'s epoch (anyone may call once it is due): pulls emission, pays the
        /// owner cut, runs Yuma, pays everyone through staking.
        #[ink(message)]
        pub fn run_epoch(&mut self, netuid: u16) -> Result<EpochReport, LedgerError> {
            let _ = netuid;
            self.run_in_epochs_code()
        }

        /// Runs up to `limit` due epochs, oldest subnets first; returns how many ran.
        #[ink(message)]
        pub fn run_due_epochs(&mut self, limit: u16) -> Result<u16, LedgerError> {
            let _ = limit;
            self.run_in_epochs_code()
        }

        // ---- root network ----

        /// Adds `hotkey` to the root network (called by the hotkey or its owning coldkey);
        /// when full, it replaces the member with the lowest stake if its stake is higher.
        #[ink(message)]
        pub fn root_register(&mut self, hotkey: AccountId) -> Result<(), LedgerError> {
            let wiring = self.wired()?;
            let caller = self.env().caller();
            if caller != hotkey {
                let owner = staking_owner_of(wiring.staking, hotkey).ok_or(LedgerError::CallFailed)?;
                if owner != Some(caller) {
                    return Err(LedgerError::NotHotkeyOwner);
                }
            }
            let mut members = self.state.root_members();
            members.push(hotkey);
            let mut stakes = staking_stakes(wiring.staking, members).ok_or(LedgerError::CallFailed)?;
            let stake = stakes.pop().unwrap_or(0);
            let events = self.state.root_register(hotkey, &stakes, stake)?;
            self.emit(events);
            Ok(())
        }

        /// A root member (the caller) votes how emission should be shared between subnets.
        #[ink(message)]
        pub fn set_root_weights(&mut self, netuids: Vec<u16>, values: Vec<u16>) -> Result<(), LedgerError> {
            let wiring = self.wired()?;
            let mut existing: Vec<u16> =
                registry_netuids_open(wiring.registry).ok_or(LedgerError::CallFailed)?.into_iter().map(|(n, _)| n).collect();
            yuma::math::heapsort(&mut existing);
            self.state.set_root_weights(self.env().caller(), self.env().block_number(), &netuids, &values, &existing)
        }

        /// Runs the root epoch (anyone may call once due): settles every subnet's accrual,
        /// then gives each its new share of emission from the root votes.
        #[ink(message)]
        pub fn run_root_epoch(&mut self) -> Result<(), LedgerError> {
            let wiring = self.wired()?;
            self.pull_emission()?;
            let subnets = registry_netuids_open(wiring.registry).ok_or(LedgerError::CallFailed)?;
            let stakes = staking_stakes(wiring.staking, self.state.root_members()).ok_or(LedgerError::CallFailed)?;
            let events = self.state.run_root_epoch(self.env().block_number(), &subnets, &stakes)?;
            self.emit(events);
            Ok(())
        }

        // ---- queries ----

        /// One page (128 UIDs from `start`) of `netuid`'s metagraph: registration, stake,
        /// axon and the last epoch's outputs (zeroed for UIDs registered since).
        #[ink(message)]
        pub fn metagraph(&self, netuid: u16, start: u16) -> Result<Vec<MetagraphEntry>, LedgerError> {
            let wiring = self.wired()?;
            let page = registry_neuron_axons_page(wiring.registry, netuid, start).ok_or(LedgerError::CallFailed)?;
            let hotkeys: Vec<AccountId> = page.iter().map(|(slot, _, _)| slot.hotkey).collect();
            let stakes = staking_uid_stakes(wiring.staking, netuid, start, hotkeys).ok_or(LedgerError::CallFailed)?;
            let records = self.state.uid_records(netuid, start, u16::try_from(page.len()).unwrap_or(METAGRAPH_PAGE));
            Ok(page
                .into_iter()
                .zip(start..)
                .zip(records)
                .zip(stakes.into_iter().chain(core::iter::repeat(0)))
                .map(|((((slot, axon, pruning_score), uid), (meta, out)), stake)| {
                    let out = if out.epoch_block > slot.registered_at { out } else { UidOutput::default() };
                    MetagraphEntry {
                        uid,
                        hotkey: slot.hotkey,
                        registered_at: slot.registered_at,
                        stake,
                        last_update: meta.last_update_for(slot.registered_at),
                        active: out.active,
                        validator_permit: meta.permit_for(slot.registered_at),
                        stake_weight: out.stake_weight,
                        consensus: out.consensus,
                        incentive: out.incentive,
                        dividends: out.dividends,
                        validator_trust: out.validator_trust,
                        emission: out.emission,
                        pruning_score,
                        axon,
                    }
                })
                .collect())
        }

        /// Emission accrued to `netuid` and not yet paid, including what a pull now would add.
        #[ink(message)]
        pub fn pending_emission(&self, netuid: u16) -> Result<Balance, LedgerError> {
            let wiring = self.wired()?;
            let info = token_emission_info(wiring.token).ok_or(LedgerError::CallFailed)?;
            Ok(self.state.pending_emission(netuid, info.pending_emission))
        }

        /// Blocks until `netuid`'s next epoch may run (0 when due).
        #[ink(message)]
        pub fn blocks_until_next_epoch(&self, netuid: u16) -> Result<BlockNumber, LedgerError> {
            let view = self.view(netuid)?;
            let now = self.env().block_number();
            Ok(self.state.blocks_until_epoch(netuid, view.hyperparams.tempo, now).unwrap_or_else(|| {
                view.created_at.saturating_add(u32::from(view.hyperparams.tempo)).saturating_sub(now)
            }))
        }

        /// The stored weight row of `uid` (as set, max-upscaled) and the block it was set.
        #[ink(message)]
        pub fn weights(&self, netuid: u16, uid: u16) -> Option<(BlockNumber, Vec<(u16, u16)>)> {
            self.state.weights_of(netuid, uid).map(|r| (r.at, r.entries))
        }

        /// The bond row of `uid` after the last epoch (read by the epoch code, whose
        /// allocator frees each bond cell it passes).
        #[ink(message)]
        pub fn bonds(&self, netuid: u16, uid: u16) -> Result<Option<(BlockNumber, Vec<(u16, u16)>)>, LedgerError> {
            let _ = (netuid, uid);
            self.run_in_epochs_code()
        }

        #[ink(message)]
        pub fn pending_commits(&self, netuid: u16, hotkey: AccountId) -> Vec<crate::commits::Commit> {
            self.state.pending_commits(netuid, hotkey)
        }

        /// Last epoch block, epoch counter and share of `netuid`.
        #[ink(message)]
        pub fn subnet_state(&self, netuid: u16) -> Option<crate::state::SubnetLedger> {
            self.state.subnet(netuid)
        }

        #[ink(message)]
        pub fn root_members(&self) -> Vec<AccountId> {
            self.state.root_members()
        }

        #[ink(message)]
        pub fn params(&self) -> LedgerParams {
            self.state.params()
        }

        #[ink(message)]
        pub fn wiring(&self) -> Option<Wiring> {
            self.wiring
        }

        #[ink(message)]
        pub fn admin(&self) -> Option<AccountId> {
            self.admin.holder()
        }

        // ---- internals ----

        /// Runs this call's message in the epoch code, on this contract's storage, and ends
        /// the call with that code's output (a tail call: nothing here runs after it).
        /// Returns only when the code could not run at all.
        fn run_in_epochs_code<T>(&self) -> Result<T, LedgerError> {
            let epochs = self.wired()?.epochs;
            if epochs.id != EPOCHS_CODE_ID {
                return Err(LedgerError::EpochsCodeOutdated);
            }
            let _ = build_call::<DefaultEnvironment>()
                .delegate(epochs.hash)
                .call_flags(CallFlags::FORWARD_INPUT | CallFlags::TAIL_CALL)
                .exec_input(ExecutionInput::new(Selector::new([0; 4])))
                .returns::<()>()
                .try_invoke();
            Err(LedgerError::CallFailed)
        }

        /// Refuses a code hash that is not uploaded or is not this ledger's epoch code.
        fn check_epochs_code(epochs: Hash) -> Result<(), LedgerError> {
            match Self::epochs_code_id(epochs) {
                Some(EPOCHS_CODE_ID) => Ok(()),
                _ => Err(LedgerError::NotEpochsCode),
            }
        }

        /// What `code` answers as epoch code (`None`: not uploaded, or not epoch code).
        fn epochs_code_id(code: Hash) -> Option<u32> {
            let id = build_call::<DefaultEnvironment>()
                .delegate(code)
                .exec_input(ExecutionInput::new(Selector::new(ink::selector_bytes!("epochs_code_id"))))
                .returns::<u32>()
                .try_invoke();
            match id {
                Ok(Ok(id)) => Some(id),
                _ => None,
            }
        }

        /// Root check: the first checks of §7.1.
        fn prelude(&self, netuid: u16, uids: usize, values: usize) -> Result<(SubnetView, u16, NeuronSlot), LedgerError> {
            let wiring = self.wired()?;
            if netuid == bt_interfaces::ROOT_NETUID {
                return Err(LedgerError::RootNetworkWeights);
            }
            if uids != values {
                return Err(LedgerError::LengthMismatch);
            }
            let view = self.view(netuid)?;
            if uids > usize::from(view.n) {
                return Err(LedgerError::TooManyWeights);
            }
            let (uid, slot) = registry_slot_of(wiring.registry, netuid, self.env().caller())
                .ok_or(LedgerError::CallFailed)?
                .ok_or(LedgerError::NotRegistered)?;
            Ok((view, uid, slot))
        }

        fn view(&self, netuid: u16) -> Result<SubnetView, LedgerError> {
            shell::subnet_view(&self.wired()?, netuid)
        }

        fn stake_of(&self, hotkey: AccountId) -> Result<Balance, LedgerError> {
            let wiring = self.wired()?;
            let stakes = staking_stakes(wiring.staking, ink::prelude::vec![hotkey]).ok_or(LedgerError::CallFailed)?;
            Ok(stakes.first().copied().unwrap_or(0))
        }

        fn ensure_admin(&self) -> Result<(), LedgerError> {
            if self.admin.is(self.env().caller()) { Ok(()) } else { Err(LedgerError::NotAdmin) }
        }

        fn wired(&self) -> Result<Wiring, LedgerError> {
            self.wiring.ok_or(LedgerError::NotConfigured)
        }

        fn ensure_registry(&self) -> Result<(), LedgerError> {
            if self.wired()?.registry == self.env().caller() { Ok(()) } else { Err(LedgerError::NotRegistry) }
        }

        fn emit(&self, events: Vec<crate::state::LedgerEvent>) {
            shell::emit(events)
        }

        fn pull_emission(&mut self) -> Result<(), LedgerError> {
            let wiring = self.wired()?;
            shell::pull_emission(&mut self.state, &wiring)
        }
    }

    impl SubnetHooks for ConsensusLedger {
        #[ink(message)]
        fn subnet_created(&mut self, netuid: u16, block: BlockNumber) -> Result<(), LedgerError> {
            self.ensure_registry()?;
            // Blocks before the subnet existed belong to the subnets that existed then.
            self.pull_emission()?;
            self.state.subnet_created(netuid, block);
            Ok(())
        }

        #[ink(message)]
        fn emission_shares(&self, netuids: Vec<u16>) -> Vec<u128> {
            netuids.into_iter().map(|n| self.state.subnet(n).map_or(0, |s| s.account.share)).collect()
        }

        #[ink(message)]
        fn registration_switched(&mut self, netuid: u16, allowed: bool) -> Result<(), LedgerError> {
            self.ensure_registry()?;
            self.pull_emission()?;
            self.state.registration_switched(netuid, allowed);
            Ok(())
        }

        #[ink(message)]
        fn subnet_dissolved(&mut self, netuid: u16) -> Result<(), LedgerError> {
            self.ensure_registry()?;
            self.pull_emission()?;
            self.state.subnet_dissolved(netuid);
            Ok(())
        }
    }
}
