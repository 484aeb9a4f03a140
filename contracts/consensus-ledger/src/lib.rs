//! The consensus ledger: where TAO is created and paid out. It keeps weights (set directly
//! or through commit-reveal), pulls emission from the token and accrues it to subnets by
//! share, runs each subnet's Yuma epoch (permissionless once due) and pays miners,
//! validators, nominators and subnet owners; root validators' votes set the subnet shares.
//!
//! Rules live in [`state`], [`weights`], [`commits`], [`accrual`] and [`root`]; the contract
//! below gathers what the registry and staking know, calls the rules, then makes the token
//! and staking calls they ask for and emits their events.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod accrual;
pub mod commits;
pub mod events;
pub mod pool_math;
pub mod root;
pub mod state;
pub mod weights;

/// A freeing allocator: an epoch's working set fits in contract memory only if the
/// temporaries of one step are released before the next (see Cargo.toml).
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[ink::contract]
pub mod consensus_ledger {
    use crate::events::{EpochRun, RootEpochRun, RootMemberAdded, WeightsCommitted, WeightsSet};
    use crate::state::{LedgerEvent, LedgerParams, LedgerState, UidOutput};
    use bt_interfaces::calls::{
        registry_neuron_axons_page, registry_neurons_page, registry_netuids_open, registry_set_pruning_scores,
        registry_slot_of, registry_subnet, staking_distribute, staking_owner_of, staking_stakes, staking_uid_stakes,
        token_burn, token_emission_info, token_mint_emission, token_transfer,
    };
    use bt_interfaces::{
        AdminRole, LedgerError, MetagraphEntry, NeuronSlot, SubnetHooks, SubnetView, MAX_PAYOUTS, MAX_STAKE_QUERY,
    };
    use ink::prelude::vec::Vec;

    /// Metagraph rows per page (a page stays within ink!'s 16 KiB output buffer).
    pub const METAGRAPH_PAGE: u16 = bt_interfaces::NEURON_AXONS_PAGE;

    /// The other contracts the ledger talks to, fixed at wiring.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Wiring {
        pub token: AccountId,
        pub registry: AccountId,
        pub staking: AccountId,
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

        /// Admin only, once: the token, registry and staking addresses.
        #[ink(message)]
        pub fn configure(&mut self, token: AccountId, registry: AccountId, staking: AccountId) -> Result<(), LedgerError> {
            self.ensure_admin()?;
            if self.wiring.is_some() {
                return Err(LedgerError::AlreadyConfigured);
            }
            self.wiring = Some(Wiring { token, registry, staking });
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
        /// announcement is due (storage layout must stay compatible).
        #[ink(message)]
        pub fn set_code(&mut self, code_hash: Hash) -> Result<(), LedgerError> {
            let (caller, block) = (self.env().caller(), self.env().block_number());
            self.admin.take_due_upgrade(caller, code_hash, block).map_err(LedgerError::Upgrade)?;
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

        // ---- epochs ----

        /// Runs `netuid`'s epoch (anyone may call once it is due): pulls emission, pays the
        /// owner cut, runs Yuma, pays everyone through staking.
        #[ink(message)]
        pub fn run_epoch(&mut self, netuid: u16) -> Result<EpochReport, LedgerError> {
            let wiring = self.wired()?;
            let view = self.view(netuid)?;
            self.epoch(&wiring, &view)
        }

        /// Runs up to `limit` due epochs, oldest subnets first; returns how many ran.
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
                let view = self.view(netuid)?;
                if self.state.blocks_until_epoch(netuid, view.hyperparams.tempo, now).unwrap_or(0) == 0 {
                    self.epoch(&wiring, &view)?;
                    ran = ran.saturating_add(1);
                }
            }
            Ok(ran)
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
            self.pull_emission(&wiring)?;
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

        /// The bond row of `uid` after the last epoch.
        #[ink(message)]
        pub fn bonds(&self, netuid: u16, uid: u16) -> Option<(BlockNumber, Vec<(u16, u16)>)> {
            self.state.bonds_of(netuid, uid).map(|r| (r.at, r.entries))
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

        fn epoch(&mut self, wiring: &Wiring, view: &SubnetView) -> Result<EpochReport, LedgerError> {
            let now = self.env().block_number();
            if let Some(left) = self.state.blocks_until_epoch(view.netuid, view.hyperparams.tempo, now) {
                if left > 0 {
                    return Err(LedgerError::EpochNotDue { blocks_left: left });
                }
            }
            self.pull_emission(wiring)?;
            let slots = self.slots(wiring, view)?;
            let stakes = self.stakes(wiring, view.netuid, &slots)?;
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
            let events = self.state.finish_epoch(view.netuid, now, &result, paid)?;
            self.emit(events);
            Ok(EpochReport {
                netuid: view.netuid,
                accrued: result.accrued,
                owner_cut: result.owner_cut,
                paid,
                payouts: u32::try_from(result.payouts.len()).unwrap_or(u32::MAX),
            })
        }

        /// Root check, length check, subnet, registration: the first checks of §7.1.
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

        /// Mints every block's emission since the last pull and credits it at the current
        /// shares. Runs before any share changes, so a share applies only to blocks after it.
        fn pull_emission(&mut self, wiring: &Wiring) -> Result<(), LedgerError> {
            let minted = token_mint_emission(wiring.token).map_err(|e| e.map_or(LedgerError::CallFailed, LedgerError::Token))?;
            let unclaimable = self.state.add_emission(minted);
            if unclaimable > 0 {
                // No subnet existed for these blocks: the TAO goes back to the unissued supply.
                token_burn(wiring.token, unclaimable).map_err(|_| LedgerError::TransferFailed)?;
            }
            Ok(())
        }

        fn view(&self, netuid: u16) -> Result<SubnetView, LedgerError> {
            let wiring = self.wired()?;
            registry_subnet(wiring.registry, netuid).ok_or(LedgerError::CallFailed)?.ok_or(LedgerError::SubnetNotFound)
        }

        fn stake_of(&self, hotkey: AccountId) -> Result<Balance, LedgerError> {
            let wiring = self.wired()?;
            let stakes = staking_stakes(wiring.staking, ink::prelude::vec![hotkey]).ok_or(LedgerError::CallFailed)?;
            Ok(stakes.first().copied().unwrap_or(0))
        }

        fn slots(&self, wiring: &Wiring, view: &SubnetView) -> Result<Vec<NeuronSlot>, LedgerError> {
            let mut slots = Vec::with_capacity(usize::from(view.n));
            while slots.len() < usize::from(view.n) {
                let start = u16::try_from(slots.len()).map_err(|_| LedgerError::SubnetTooLarge)?;
                let page = registry_neurons_page(wiring.registry, view.netuid, start).ok_or(LedgerError::CallFailed)?;
                if page.is_empty() {
                    break;
                }
                slots.extend(page);
                if slots.len() > usize::from(crate::state::MAX_EPOCH_UIDS) {
                    return Err(LedgerError::SubnetTooLarge);
                }
            }
            Ok(slots)
        }

        fn stakes(&self, wiring: &Wiring, netuid: u16, slots: &[NeuronSlot]) -> Result<Vec<Balance>, LedgerError> {
            let mut stakes = Vec::with_capacity(slots.len());
            for page in slots.chunks(usize::try_from(MAX_STAKE_QUERY).unwrap_or(256)) {
                let start = u16::try_from(stakes.len()).map_err(|_| LedgerError::SubnetTooLarge)?;
                let hotkeys = page.iter().map(|s| s.hotkey).collect();
                stakes.extend(staking_uid_stakes(wiring.staking, netuid, start, hotkeys).ok_or(LedgerError::CallFailed)?);
            }
            Ok(stakes)
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

        fn emit(&self, events: Vec<LedgerEvent>) {
            for event in events {
                match event {
                    LedgerEvent::WeightsSet { netuid, uid } => self.env().emit_event(WeightsSet { netuid, uid }),
                    LedgerEvent::WeightsCommitted { netuid, hotkey, hash } => {
                        self.env().emit_event(WeightsCommitted { netuid, hotkey, hash })
                    }
                    LedgerEvent::EpochRun { netuid, block, emission, owner_cut, paid } => {
                        self.env().emit_event(EpochRun { netuid, block, emission, owner_cut, paid })
                    }
                    LedgerEvent::RootEpochRun { block, voted } => self.env().emit_event(RootEpochRun { block, voted }),
                    LedgerEvent::RootMemberAdded { hotkey, replaced } => {
                        self.env().emit_event(RootMemberAdded { hotkey, replaced })
                    }
                }
            }
        }
    }

    impl SubnetHooks for ConsensusLedger {
        #[ink(message)]
        fn subnet_created(&mut self, netuid: u16, block: BlockNumber) -> Result<(), LedgerError> {
            self.ensure_registry()?;
            // Blocks before the subnet existed belong to the subnets that existed then.
            self.pull_emission(&self.wired()?)?;
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
            self.pull_emission(&self.wired()?)?;
            self.state.registration_switched(netuid, allowed);
            Ok(())
        }

        #[ink(message)]
        fn subnet_dissolved(&mut self, netuid: u16) -> Result<(), LedgerError> {
            self.ensure_registry()?;
            self.pull_emission(&self.wired()?)?;
            self.state.subnet_dissolved(netuid);
            Ok(())
        }
    }
}
