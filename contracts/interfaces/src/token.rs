//! The TAO token's protocol surface: emission for the minter, pulls and recycles for the
//! protocol contracts.
use crate::{AccountId, Balance, BlockNumber};

/// Typed errors of the token's non-PSP22 messages.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum TokenError {
    /// Only the deployer may wire the token, and only before it is wired.
    NotAdmin,
    /// The minter and protocol addresses are already set; they never change.
    AlreadyConfigured,
    /// The token is not wired yet: no minter exists.
    NotConfigured,
    /// Only the configured minter (the consensus ledger) may pull emission.
    NotMinter,
    /// Only the configured protocol contracts may pull or recycle on a user's behalf.
    NotProtocol,
    /// The account holds less than the amount.
    InsufficientBalance,
    /// The genesis allocation (or a mint) would take issuance above 21,000,000 TAO.
    CapExceeded,
    /// Too many protocol addresses, or a duplicate/zero address.
    InvalidConfiguration,
    /// An amount overflowed (cannot happen below the cap; reported instead of panicking).
    Overflow,
    /// The protocol contract's code changed since the token was wired: it may move this
    /// holder's TAO only after the holder reads the new code and calls
    /// `accept_protocol_code(protocol)` on the token.
    ProtocolCodeChanged,
}

/// Where the emission schedule stands.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct EmissionInfo {
    /// Total issuance now, in RAO.
    pub total_issuance: Balance,
    /// The supply cap: 21e15 RAO.
    pub cap: Balance,
    /// RAO minted per block at the current issuance.
    pub block_emission: Balance,
    /// The issuance at which the next halving happens (equals `cap` when emission is over).
    pub next_halving_issuance: Balance,
    /// Blocks until that issuance is reached at the current rate (0 when emission is over).
    pub blocks_until_halving: u64,
    /// The block of the last emission pull (or of wiring, before the first pull).
    pub last_emission_block: BlockNumber,
    /// What a pull at the current block would mint.
    pub pending_emission: Balance,
}

/// Emission, pulled by the protocol's minter only.
#[ink::trait_definition]
pub trait TaoEmission {
    /// Mints to the minter the exact sum of the per-block emission of every block since the
    /// previous pull and returns that amount.
    #[ink(message)]
    fn mint_emission(&mut self) -> Result<Balance, TokenError>;

    /// The schedule's current state.
    #[ink(message)]
    fn emission_info(&self) -> EmissionInfo;
}

/// What the protocol contracts (registry, staking, ledger) may do with the account that called
/// them, within that same call, so users need no separate approve.
#[ink::trait_definition]
pub trait TaoProtocol {
    /// Moves `value` from `from` to the calling protocol contract.
    #[ink(message)]
    fn pull(&mut self, from: AccountId, value: Balance) -> Result<(), TokenError>;

    /// Destroys `value` of `from`'s tokens, lowering total issuance (a registration burn).
    #[ink(message)]
    fn recycle_from(&mut self, from: AccountId, value: Balance) -> Result<(), TokenError>;

    /// Destroys `value` of the calling protocol contract's own tokens.
    #[ink(message)]
    fn recycle(&mut self, value: Balance) -> Result<(), TokenError>;
}
