//! The subnet registry: subnets (created by locking TAO, pruned when the limit is reached,
//! dissolved by their owner), their hyperparameters, neuron registration by burn or proof of
//! work (UIDs, replacement by pruning score), and axons.
//!
//! Rules live in [`state`], [`pricing`], [`pow`], [`hyperparams`] and [`axon`]; the contract
//! below reads caller and block, calls them, then makes the token and staking calls they ask
//! for (a failing call reverts the whole message) and emits their events.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod axon;
pub mod events;
pub mod hyperparams;
pub mod pow;
pub mod pricing;
pub mod state;

#[ink::contract]
pub mod subnet_registry {
    use crate::events::{AxonServed, HyperparamsSet, NeuronRegistered, SubnetCreated, SubnetDissolved};
    use crate::state::{Admission, NetworkParams, RegistrationState, RegistryEvent, RegistryState};
    use bt_interfaces::calls::{
        ledger_emission_shares, ledger_registration_switched, ledger_subnet_created, ledger_subnet_dissolved, staking_bind_owner, token_pull, token_recycle_from,
        token_transfer,
    };
    use bt_interfaces::{AdminRole, AxonInfo, Hyperparams, NeuronSlot, RegistryError, RegistryHooks, RegistryView, SubnetView};
    use ink::prelude::vec::Vec;

    /// The other contracts the registry talks to, fixed at wiring.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Wiring {
        pub token: AccountId,
        pub staking: AccountId,
        pub ledger: AccountId,
    }

    /// A neuron with its axon, for clients.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct NeuronInfo {
        pub uid: u16,
        pub hotkey: AccountId,
        pub registered_at: BlockNumber,
        pub axon: Option<AxonInfo>,
    }

    #[ink(storage)]
    pub struct SubnetRegistry {
        state: RegistryState,
        admin: AdminRole,
        wiring: Option<Wiring>,
    }

    impl SubnetRegistry {
        #[ink(constructor)]
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            Self { state: RegistryState::default(), admin: AdminRole::new(Self::env().caller()), wiring: None }
        }

        // ---- admin ----

        /// Admin only, once: the token, staking and ledger addresses.
        #[ink(message)]
        pub fn configure(&mut self, token: AccountId, staking: AccountId, ledger: AccountId) -> Result<(), RegistryError> {
            self.ensure_admin()?;
            if self.wiring.is_some() {
                return Err(RegistryError::AlreadyConfigured);
            }
            self.wiring = Some(Wiring { token, staking, ledger });
            Ok(())
        }

        /// Admin only: registry-wide parameters (subnet limit, lock cost, rate limits, ...).
        #[ink(message)]
        pub fn set_network_params(&mut self, params: NetworkParams) -> Result<(), RegistryError> {
            self.ensure_admin()?;
            self.state.set_params(params)
        }

        /// Admin only: sets a subnet's current registration burn and difficulty (clamped).
        #[ink(message)]
        pub fn set_registration_prices(&mut self, netuid: u16, burn: Balance, difficulty: u64) -> Result<(), RegistryError> {
            self.ensure_admin()?;
            self.state.set_prices(netuid, burn, difficulty)
        }

        #[ink(message)]
        pub fn transfer_admin(&mut self, to: AccountId) -> Result<(), RegistryError> {
            if self.admin.transfer(self.env().caller(), to) { Ok(()) } else { Err(RegistryError::NotAdmin) }
        }

        #[ink(message)]
        pub fn renounce_admin(&mut self) -> Result<(), RegistryError> {
            if self.admin.renounce(self.env().caller()) { Ok(()) } else { Err(RegistryError::NotAdmin) }
        }

        /// Admin only: announces new code (`Some`) or cancels the announcement (`None`). The
        /// upgrade may be applied with `set_code` from `UPGRADE_DELAY` blocks later.
        #[ink(message)]
        pub fn announce_code(&mut self, code_hash: Option<Hash>) -> Result<(), RegistryError> {
            let (caller, block) = (self.env().caller(), self.env().block_number());
            let event = self.admin.announce_upgrade(caller, code_hash, block).map_err(RegistryError::Upgrade)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Admin only: replaces this contract's code with the announced `code_hash` once the
        /// announcement is due (storage layout must stay compatible).
        #[ink(message)]
        pub fn set_code(&mut self, code_hash: Hash) -> Result<(), RegistryError> {
            let (caller, block) = (self.env().caller(), self.env().block_number());
            self.admin.take_due_upgrade(caller, code_hash, block).map_err(RegistryError::Upgrade)?;
            self.env().set_code_hash(&code_hash).map_err(|_| RegistryError::CallFailed)
        }

        /// The announced upgrade, if any.
        #[ink(message)]
        pub fn pending_upgrade(&self) -> Option<bt_interfaces::PendingUpgrade> {
            self.admin.pending_upgrade()
        }

        // ---- subnets ----

        /// Creates a subnet owned by the caller with `hotkey` as UID 0, locking the current
        /// lock cost (refused if above `max_lock`). Returns the netuid.
        #[ink(message)]
        pub fn create_subnet(&mut self, hotkey: AccountId, max_lock: Balance) -> Result<u16, RegistryError> {
            let wiring = self.wired()?;
            let caller = self.env().caller();
            let block = self.env().block_number();
            // At the limit the lowest-emission subnet past its immunity makes room.
            let shares = if self.state.subnets_at_limit() {
                let netuids = self.state.netuids();
                let shares = ledger_emission_shares(wiring.ledger, netuids.clone()).ok_or(RegistryError::CallFailed)?;
                netuids.into_iter().zip(shares).collect()
            } else {
                Vec::new()
            };
            let created = self.state.create_subnet(caller, block, hotkey, max_lock, &shares)?;
            staking_bind_owner(wiring.staking, hotkey, caller).map_err(staking_error)?;
            token_pull(wiring.token, caller, created.lock).map_err(token_error)?;
            if let Some((owner, refund)) = created.refund {
                token_transfer(wiring.token, owner, refund).map_err(|_| RegistryError::CallFailed)?;
            }
            if let Some(netuid) = created.dissolved {
                ledger_subnet_dissolved(wiring.ledger, netuid).map_err(|_| RegistryError::CallFailed)?;
            }
            ledger_subnet_created(wiring.ledger, created.netuid, block).map_err(|_| RegistryError::CallFailed)?;
            self.emit(created.events);
            Ok(created.netuid)
        }

        /// Admin only, once, before any other subnet: the fair-launch genesis subnet (netuid
        /// 1, no lock) owned by the caller with `hotkey` as UID 0 (the hotkey must have
        /// offered itself to the caller, or be the caller). Miners then enter by proof of
        /// work for free, and emission accrues from this block.
        #[ink(message)]
        pub fn create_genesis_subnet(&mut self, hotkey: AccountId) -> Result<u16, RegistryError> {
            self.ensure_admin()?;
            let wiring = self.wired()?;
            let (caller, block) = (self.env().caller(), self.env().block_number());
            let created = self.state.create_genesis_subnet(caller, block, hotkey)?;
            staking_bind_owner(wiring.staking, hotkey, caller).map_err(staking_error)?;
            ledger_subnet_created(wiring.ledger, created.netuid, block).map_err(|_| RegistryError::CallFailed)?;
            self.emit(created.events);
            Ok(created.netuid)
        }

        /// The owner dissolves its subnet and gets its lock back; within the subnet's immunity
        /// period the lock is recycled instead. Returns the refund.
        #[ink(message)]
        pub fn dissolve_subnet(&mut self, netuid: u16) -> Result<Balance, RegistryError> {
            let wiring = self.wired()?;
            let (owner, refund, recycled, events) =
                self.state.dissolve_subnet(self.env().caller(), netuid, self.env().block_number())?;
            if refund > 0 {
                token_transfer(wiring.token, owner, refund).map_err(|_| RegistryError::CallFailed)?;
            }
            if recycled > 0 {
                token_recycle_from(wiring.token, self.env().account_id(), recycled).map_err(token_error)?;
            }
            ledger_subnet_dissolved(wiring.ledger, netuid).map_err(|_| RegistryError::CallFailed)?;
            self.emit(events);
            Ok(refund)
        }

        /// Sets a subnet's hyperparameters: its owner (owner fields, owner bounds,
        /// rate-limited) or the admin (any field).
        #[ink(message)]
        pub fn set_hyperparams(&mut self, netuid: u16, hyperparams: Hyperparams) -> Result<(), RegistryError> {
            let caller = self.env().caller();
            let was_allowed = self.state.hyperparams(netuid).map(|h| h.registration_allowed);
            let events =
                self.state.set_hyperparams(caller, self.admin.is(caller), self.env().block_number(), netuid, hyperparams)?;
            if let (Some(wiring), true) = (self.wiring, was_allowed != Some(hyperparams.registration_allowed)) {
                // The subnet's emission share follows the switch from this block on.
                ledger_registration_switched(wiring.ledger, netuid, hyperparams.registration_allowed)
                    .map_err(|_| RegistryError::CallFailed)?;
            }
            self.emit(events);
            Ok(())
        }

        // ---- neurons ----

        /// Registers `hotkey` on `netuid` for the caller (its coldkey) at the current burn,
        /// which is recycled (refused if above `max_price`). Returns the UID.
        #[ink(message)]
        pub fn burned_register(&mut self, netuid: u16, hotkey: AccountId, max_price: Balance) -> Result<u16, RegistryError> {
            let wiring = self.wired()?;
            let caller = self.env().caller();
            let me = self.env().account_id();
            let r = self.state.register(&me, self.env().block_number(), netuid, hotkey, Admission::Burn { max_price })?;
            staking_bind_owner(wiring.staking, hotkey, caller).map_err(staking_error)?;
            token_recycle_from(wiring.token, caller, r.price).map_err(token_error)?;
            self.emit(r.events);
            Ok(r.uid)
        }

        /// Registers `hotkey` on `netuid` for the caller with proof of work over the seed of
        /// `block` (see `pow_seed`). Free. Returns the UID.
        #[ink(message)]
        pub fn pow_register(
            &mut self,
            netuid: u16,
            hotkey: AccountId,
            block: BlockNumber,
            nonce: u64,
            work: [u8; 32],
        ) -> Result<u16, RegistryError> {
            let wiring = self.wired()?;
            let caller = self.env().caller();
            let me = self.env().account_id();
            let admission = Admission::Pow { block, nonce, work, coldkey: caller };
            let r = self.state.register(&me, self.env().block_number(), netuid, hotkey, admission)?;
            staking_bind_owner(wiring.staking, hotkey, caller).map_err(staking_error)?;
            self.emit(r.events);
            Ok(r.uid)
        }

        /// The seed a proof of work for `netuid` at `block` must seal over.
        #[ink(message)]
        pub fn pow_seed(&self, netuid: u16, block: BlockNumber) -> Option<[u8; 32]> {
            let s = self.state.subnet_record(netuid)?;
            Some(crate::pow::seed(&self.env().account_id(), netuid, block, s.registrations))
        }

        /// The caller (a registered hotkey) announces its axon.
        #[ink(message)]
        pub fn serve_axon(
            &mut self,
            netuid: u16,
            version: u32,
            ip: u128,
            port: u16,
            ip_type: u8,
            protocol: u8,
        ) -> Result<(), RegistryError> {
            let events = self.state.serve_axon(
                self.env().caller(),
                self.env().block_number(),
                netuid,
                version,
                ip,
                port,
                ip_type,
                protocol,
            )?;
            self.emit(events);
            Ok(())
        }

        // ---- queries ----

        /// What creating a subnet costs now.
        #[ink(message)]
        pub fn lock_cost(&self) -> Balance {
            self.state.lock_cost(self.env().block_number())
        }

        /// Current burn, difficulty and interval counters of `netuid`.
        #[ink(message)]
        pub fn registration_state(&self, netuid: u16) -> Option<RegistrationState> {
            self.state.registration_state(netuid, self.env().block_number())
        }

        #[ink(message)]
        pub fn hyperparams(&self, netuid: u16) -> Option<Hyperparams> {
            self.state.hyperparams(netuid)
        }

        /// Every user subnet's netuid, oldest first.
        #[ink(message)]
        pub fn netuids(&self) -> Vec<u16> {
            self.state.netuids()
        }

        #[ink(message)]
        pub fn neuron(&self, netuid: u16, uid: u16) -> Option<NeuronInfo> {
            let slot = self.state.neuron(netuid, uid)?;
            Some(NeuronInfo { uid, hotkey: slot.hotkey, registered_at: slot.registered_at, axon: self.state.axon(netuid, slot.hotkey) })
        }

        #[ink(message)]
        pub fn neuron_by_hotkey(&self, netuid: u16, hotkey: AccountId) -> Option<NeuronInfo> {
            let uid = self.state.uid_of(netuid, hotkey)?;
            self.neuron(netuid, uid)
        }

        /// UIDs `start .. start + NEURON_AXONS_PAGE` (128) with their axons, in one call. A page
        /// of 256 with axons would overflow ink!'s 16 KiB output buffer and trap on a full subnet.
        #[ink(message)]
        pub fn neurons(&self, netuid: u16, start: u16) -> Vec<NeuronInfo> {
            self.state
                .neuron_axons_page(netuid, start)
                .into_iter()
                .zip(start..)
                .map(|((slot, axon, _), uid)| NeuronInfo { uid, hotkey: slot.hotkey, registered_at: slot.registered_at, axon })
                .collect()
        }

        #[ink(message)]
        pub fn pruning_scores(&self, netuid: u16) -> Vec<u16> {
            self.state.pruning_scores(netuid)
        }

        #[ink(message)]
        pub fn network_params(&self) -> NetworkParams {
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

        fn ensure_admin(&self) -> Result<(), RegistryError> {
            if self.admin.is(self.env().caller()) { Ok(()) } else { Err(RegistryError::NotAdmin) }
        }

        fn ensure_ledger(&self) -> Result<(), RegistryError> {
            if self.wired()?.ledger == self.env().caller() { Ok(()) } else { Err(RegistryError::NotLedger) }
        }

        fn wired(&self) -> Result<Wiring, RegistryError> {
            self.wiring.ok_or(RegistryError::NotConfigured)
        }

        fn emit(&self, events: Vec<RegistryEvent>) {
            for event in events {
                match event {
                    RegistryEvent::SubnetCreated { netuid, owner, lock } => {
                        self.env().emit_event(SubnetCreated { netuid, owner, lock })
                    }
                    RegistryEvent::SubnetDissolved { netuid, owner, refund } => {
                        self.env().emit_event(SubnetDissolved { netuid, owner, refund })
                    }
                    RegistryEvent::NeuronRegistered { netuid, uid, hotkey, replaced, price } => {
                        self.env().emit_event(NeuronRegistered { netuid, uid, hotkey, replaced, price })
                    }
                    RegistryEvent::AxonServed { netuid, hotkey } => self.env().emit_event(AxonServed { netuid, hotkey }),
                    RegistryEvent::HyperparamsSet { netuid } => self.env().emit_event(HyperparamsSet { netuid }),
                }
            }
        }
    }

    fn token_error(e: Option<bt_interfaces::TokenError>) -> RegistryError {
        e.map_or(RegistryError::CallFailed, RegistryError::Token)
    }

    fn staking_error(e: Option<bt_interfaces::StakingError>) -> RegistryError {
        e.map_or(RegistryError::CallFailed, RegistryError::Staking)
    }

    impl RegistryView for SubnetRegistry {
        #[ink(message)]
        fn subnet(&self, netuid: u16) -> Option<SubnetView> {
            self.state.subnet(netuid)
        }

        #[ink(message)]
        fn neurons_page(&self, netuid: u16, start: u16) -> Vec<NeuronSlot> {
            self.state.neurons_page(netuid, start)
        }

        #[ink(message)]
        fn uid_of(&self, netuid: u16, hotkey: AccountId) -> Option<u16> {
            self.state.uid_of(netuid, hotkey)
        }

        #[ink(message)]
        fn slot_of(&self, netuid: u16, hotkey: AccountId) -> Option<(u16, NeuronSlot)> {
            self.state.slot_of(netuid, hotkey)
        }

        #[ink(message)]
        fn netuids_open(&self) -> Vec<(u16, bool)> {
            self.state
                .netuids()
                .into_iter()
                .map(|netuid| (netuid, self.state.hyperparams(netuid).is_some_and(|h| h.registration_allowed)))
                .collect()
        }

        #[ink(message)]
        fn neuron_axons_page(&self, netuid: u16, start: u16) -> Vec<(NeuronSlot, Option<AxonInfo>, u16)> {
            self.state.neuron_axons_page(netuid, start)
        }
    }

    impl RegistryHooks for SubnetRegistry {
        #[ink(message)]
        fn set_pruning_scores(&mut self, netuid: u16, scores: Vec<u16>) -> Result<(), RegistryError> {
            self.ensure_ledger()?;
            self.state.set_pruning_scores(netuid, scores)
        }
    }

    #[cfg(test)]
    mod page_size {
        use super::*;
        use ink::scale::Encode;

        /// Finding 11 of the economic review: a 256-UID page with axons exceeded the 16 KiB
        /// output buffer. A full page at the worst case (every axon set) must fit with room.
        #[test]
        fn a_full_neurons_page_fits_the_output_buffer() {
            let axon = AxonInfo { block: u32::MAX, version: u32::MAX, ip: u128::MAX, port: u16::MAX, ip_type: 6, protocol: 4 };
            let info = NeuronInfo { uid: u16::MAX, hotkey: AccountId::from([7; 32]), registered_at: u32::MAX, axon: Some(axon) };
            let page = vec![info; usize::from(bt_interfaces::NEURON_AXONS_PAGE)];
            let encoded = Ok::<_, ()>(page.clone()).encode().len();
            assert!(encoded < 16 * 1024 - 1024, "{encoded} bytes");
            let too_big = vec![info; 256];
            assert!(too_big.encode().len() > 16 * 1024, "the old page size really overflowed");
        }
    }
}
