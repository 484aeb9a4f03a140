//! Staking: which coldkey owns each hotkey, stake and delegation through per-hotkey share
//! pools (nominators are paid pro rata in O(1)), the owner's take, and the epoch payouts the
//! consensus ledger hands over. Holds every staked RAO: its token balance equals total stake.
//!
//! Rules live in [`state`] and [`pool`]; the contract below reads caller and block, calls
//! them, moves TAO through the token, and emits the events the rules return.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod events;
pub mod maturity;
pub mod pool;
pub mod state;

#[ink::contract]
pub mod staking {
    use crate::events::{Distributed, HotkeyBound, HotkeyOffered, StakeAdded, StakeRemoved, TakeChanged};
    use crate::pool::Pool;
    use crate::state::{Position, StakingEvent, StakingParams, StakingState};
    use bt_interfaces::calls::{token_pull, token_transfer};
    use bt_interfaces::{AdminRole, Payout, StakingError, StakingProtocol};
    use ink::prelude::vec::Vec;

    /// The other contracts staking talks to, fixed at wiring.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Wiring {
        pub token: AccountId,
        pub registry: AccountId,
        pub ledger: AccountId,
    }

    #[ink(storage)]
    pub struct Staking {
        state: StakingState,
        admin: AdminRole,
        wiring: Option<Wiring>,
    }

    impl Staking {
        #[ink(constructor)]
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            Self { state: StakingState::default(), admin: AdminRole::new(Self::env().caller()), wiring: None }
        }

        // ---- admin ----

        /// Admin only, once: the token, registry and ledger addresses.
        #[ink(message)]
        pub fn configure(&mut self, token: AccountId, registry: AccountId, ledger: AccountId) -> Result<(), StakingError> {
            self.ensure_admin()?;
            if self.wiring.is_some() {
                return Err(StakingError::AlreadyConfigured);
            }
            self.wiring = Some(Wiring { token, registry, ledger });
            Ok(())
        }

        /// Admin only: minimum stake, default take, take rate limit.
        #[ink(message)]
        pub fn set_params(&mut self, params: StakingParams) -> Result<(), StakingError> {
            self.ensure_admin()?;
            self.state.set_params(params)
        }

        #[ink(message)]
        pub fn transfer_admin(&mut self, to: AccountId) -> Result<(), StakingError> {
            if self.admin.transfer(self.env().caller(), to) { Ok(()) } else { Err(StakingError::NotAdmin) }
        }

        #[ink(message)]
        pub fn renounce_admin(&mut self) -> Result<(), StakingError> {
            if self.admin.renounce(self.env().caller()) { Ok(()) } else { Err(StakingError::NotAdmin) }
        }

        /// Admin only: announces new code (`Some`) or cancels the announcement (`None`). The
        /// upgrade may be applied with `set_code` from `UPGRADE_DELAY` blocks later.
        #[ink(message)]
        pub fn announce_code(&mut self, code_hash: Option<Hash>) -> Result<(), StakingError> {
            let (caller, block) = (self.env().caller(), self.env().block_number());
            let event = self.admin.announce_upgrade(caller, code_hash, block).map_err(StakingError::Upgrade)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Admin only: replaces this contract's code with the announced `code_hash` once the
        /// announcement is due (storage layout must stay compatible).
        #[ink(message)]
        pub fn set_code(&mut self, code_hash: Hash) -> Result<(), StakingError> {
            let (caller, block) = (self.env().caller(), self.env().block_number());
            self.admin.take_due_upgrade(caller, code_hash, block).map_err(StakingError::Upgrade)?;
            self.env().set_code_hash(&code_hash).map_err(|_| StakingError::CallFailed)
        }

        /// The announced upgrade, if any.
        #[ink(message)]
        pub fn pending_upgrade(&self) -> Option<bt_interfaces::PendingUpgrade> {
            self.admin.pending_upgrade()
        }

        // ---- users ----

        /// The caller (a hotkey) consents to be owned by `coldkey`, which may then claim or
        /// register it. Without this, nobody can bind a hotkey they do not hold the key of.
        #[ink(message)]
        pub fn offer_hotkey(&mut self, coldkey: AccountId) -> Result<(), StakingError> {
            let events = self.state.offer(self.env().caller(), coldkey)?;
            self.emit(events);
            Ok(())
        }

        /// The coldkey an unowned hotkey has offered itself to.
        #[ink(message)]
        pub fn offer_of(&self, hotkey: AccountId) -> Option<AccountId> {
            self.state.offer_of(hotkey)
        }

        /// The caller (a coldkey) becomes the owner of an unowned `hotkey` that offered itself
        /// to it (`offer_hotkey`).
        #[ink(message)]
        pub fn claim_hotkey(&mut self, hotkey: AccountId) -> Result<(), StakingError> {
            let events = self.state.bind(hotkey, self.env().caller(), self.env().block_number())?;
            self.emit(events);
            Ok(())
        }

        /// Stakes `amount` of the caller's TAO on `hotkey` (pulled in this call, no approve).
        /// The stake counts for consensus and earns dividends once it has stood through a
        /// whole stake interval (`StakeAdded.mature_at`); moves are rate-limited per interval.
        #[ink(message)]
        pub fn add_stake(&mut self, hotkey: AccountId, amount: Balance) -> Result<(), StakingError> {
            let wiring = self.wired()?;
            let caller = self.env().caller();
            let events = self.state.add_stake(caller, hotkey, amount, self.env().block_number())?;
            token_pull(wiring.token, caller, amount)
                .map_err(|e| e.map_or(StakingError::CallFailed, StakingError::Token))?;
            self.emit(events);
            Ok(())
        }

        /// Unstakes `amount` from `hotkey` back to the caller, maturing stake first. If less
        /// than the minimum would remain, the whole position is paid. Returns the amount paid.
        #[ink(message)]
        pub fn remove_stake(&mut self, hotkey: AccountId, amount: Balance) -> Result<Balance, StakingError> {
            let wiring = self.wired()?;
            let caller = self.env().caller();
            let (paid, events) = self.state.remove_stake(caller, hotkey, amount, self.env().block_number())?;
            token_transfer(wiring.token, caller, paid).map_err(|_| StakingError::TransferFailed)?;
            self.emit(events);
            Ok(paid)
        }

        /// The hotkey's owner raises its take (at most 18%, rate-limited).
        #[ink(message)]
        pub fn increase_take(&mut self, hotkey: AccountId, take: u16) -> Result<(), StakingError> {
            let events = self.state.increase_take(self.env().caller(), hotkey, take, self.env().block_number())?;
            self.emit(events);
            Ok(())
        }

        /// The hotkey's owner lowers its take (any time).
        #[ink(message)]
        pub fn decrease_take(&mut self, hotkey: AccountId, take: u16) -> Result<(), StakingError> {
            let events = self.state.decrease_take(self.env().caller(), hotkey, take, self.env().block_number())?;
            self.emit(events);
            Ok(())
        }

        // ---- queries ----

        /// Total stake on `hotkey`, maturing stake included (`stakes` gives what counts).
        #[ink(message)]
        pub fn stake_of_hotkey(&self, hotkey: AccountId) -> Balance {
            self.state.stake_of_hotkey(hotkey)
        }

        /// Stake of `coldkey` on `hotkey`.
        #[ink(message)]
        pub fn stake_of(&self, hotkey: AccountId, coldkey: AccountId) -> Balance {
            self.state.stake_of(hotkey, coldkey)
        }

        /// Every position of `coldkey` (own hotkeys first, then nominations).
        #[ink(message)]
        pub fn positions_of(&self, coldkey: AccountId) -> Vec<Position> {
            self.state.positions_of(coldkey, self.env().block_number())
        }

        /// Total stake of `coldkey` across hotkeys.
        #[ink(message)]
        pub fn stake_of_coldkey(&self, coldkey: AccountId) -> Balance {
            self.state.positions_of(coldkey, self.env().block_number()).iter().fold(0, |sum: Balance, p| sum.saturating_add(p.stake))
        }

        #[ink(message)]
        pub fn owned_hotkeys(&self, coldkey: AccountId) -> Vec<AccountId> {
            self.state.owned_hotkeys(coldkey)
        }

        /// The hotkey's pool: owner, take, total value and shares.
        #[ink(message)]
        pub fn pool(&self, hotkey: AccountId) -> Option<Pool> {
            self.state.pool(hotkey)
        }

        /// The hotkey owner's take as a u16 proportion (65535 = 100%).
        #[ink(message)]
        pub fn take_of(&self, hotkey: AccountId) -> Option<u16> {
            self.state.pool(hotkey).map(|p| p.take)
        }

        #[ink(message)]
        pub fn total_stake(&self) -> Balance {
            self.state.total_stake()
        }

        #[ink(message)]
        pub fn params(&self) -> StakingParams {
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

        fn ensure_admin(&self) -> Result<(), StakingError> {
            if self.admin.is(self.env().caller()) { Ok(()) } else { Err(StakingError::NotAdmin) }
        }

        fn wired(&self) -> Result<Wiring, StakingError> {
            self.wiring.ok_or(StakingError::NotConfigured)
        }

        fn emit(&self, events: Vec<StakingEvent>) {
            for event in events {
                match event {
                    StakingEvent::HotkeyOffered { hotkey, coldkey } => self.env().emit_event(HotkeyOffered { hotkey, coldkey }),
                    StakingEvent::HotkeyBound { hotkey, coldkey } => self.env().emit_event(HotkeyBound { hotkey, coldkey }),
                    StakingEvent::StakeAdded { coldkey, hotkey, amount, mature_at } => {
                        self.env().emit_event(StakeAdded { coldkey, hotkey, amount, mature_at })
                    }
                    StakingEvent::StakeRemoved { coldkey, hotkey, amount, shares } => {
                        self.env().emit_event(StakeRemoved { coldkey, hotkey, amount, shares })
                    }
                    StakingEvent::TakeChanged { hotkey, take } => self.env().emit_event(TakeChanged { hotkey, take }),
                    StakingEvent::Distributed { payouts, total } => self.env().emit_event(Distributed { payouts, total }),
                }
            }
        }
    }

    impl StakingProtocol for Staking {
        #[ink(message)]
        fn bind_owner(&mut self, hotkey: AccountId, coldkey: AccountId) -> Result<(), StakingError> {
            let wiring = self.wired()?;
            if self.env().caller() != wiring.registry {
                return Err(StakingError::NotRegistry);
            }
            let events = self.state.bind(hotkey, coldkey, self.env().block_number())?;
            self.emit(events);
            Ok(())
        }

        #[ink(message)]
        fn owner_of(&self, hotkey: AccountId) -> Option<AccountId> {
            self.state.owner_of(hotkey)
        }

        #[ink(message)]
        fn stakes(&self, hotkeys: Vec<AccountId>) -> Vec<Balance> {
            self.state.stakes(&hotkeys, self.env().block_number())
        }

        #[ink(message)]
        fn uid_stakes(&self, netuid: u16, start: u16, hotkeys: Vec<AccountId>) -> Vec<Balance> {
            self.state.uid_stakes(netuid, start, &hotkeys, self.env().block_number())
        }

        #[ink(message)]
        fn distribute(&mut self, netuid: u16, payouts: Vec<Payout>) -> Result<Balance, StakingError> {
            let wiring = self.wired()?;
            let ledger = self.env().caller();
            if ledger != wiring.ledger {
                return Err(StakingError::NotLedger);
            }
            // The ledger transfers `total` to this contract when the call returns (it never
            // lets another contract pull from it), so total stake and balance agree again
            // before the transaction ends; a failed transfer reverts both.
            let (total, events) = self.state.distribute(netuid, &payouts, self.env().block_number())?;
            self.emit(events);
            Ok(total)
        }
    }
}
