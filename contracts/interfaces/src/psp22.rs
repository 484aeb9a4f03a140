//! PSP22 (the Polkadot fungible-token standard): traits and error type with the standard's names.
use crate::{AccountId, Balance};
use ink::prelude::{string::String, vec::Vec};

/// The standard's error type (same variants, same order, so the SCALE encoding matches).
// scale-info's derive casts variant indices to u8, which the contract lint set flags.
#[allow(clippy::cast_possible_truncation)]
#[derive(Debug, PartialEq, Eq, Clone)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum PSP22Error {
    /// An error that fits none of the other variants; the string says what happened.
    Custom(String),
    /// The sender's balance is lower than the amount.
    InsufficientBalance,
    /// The spender's allowance is lower than the amount.
    InsufficientAllowance,
    /// The recipient is the zero address.
    ZeroRecipientAddress,
    /// The sender is the zero address.
    ZeroSenderAddress,
    /// A receiving contract refused the transfer.
    SafeTransferCheckFailed(String),
}

#[ink::trait_definition]
pub trait PSP22 {
    /// Total amount of tokens in existence (for TAO: the total issuance).
    #[ink(message)]
    fn total_supply(&self) -> Balance;

    /// Balance of `owner`.
    #[ink(message)]
    fn balance_of(&self, owner: AccountId) -> Balance;

    /// How much `spender` may still move out of `owner`'s account.
    #[ink(message)]
    fn allowance(&self, owner: AccountId, spender: AccountId) -> Balance;

    /// Moves `value` from the caller to `to`.
    #[ink(message)]
    fn transfer(&mut self, to: AccountId, value: Balance, data: Vec<u8>) -> Result<(), PSP22Error>;

    /// Moves `value` from `from` to `to` using the caller's allowance.
    #[ink(message)]
    fn transfer_from(
        &mut self,
        from: AccountId,
        to: AccountId,
        value: Balance,
        data: Vec<u8>,
    ) -> Result<(), PSP22Error>;

    /// Sets the allowance of `spender` over the caller's tokens to `value`.
    #[ink(message)]
    fn approve(&mut self, spender: AccountId, value: Balance) -> Result<(), PSP22Error>;

    /// Raises the allowance of `spender` by `delta_value`.
    #[ink(message)]
    fn increase_allowance(&mut self, spender: AccountId, delta_value: Balance) -> Result<(), PSP22Error>;

    /// Lowers the allowance of `spender` by `delta_value`.
    #[ink(message)]
    fn decrease_allowance(&mut self, spender: AccountId, delta_value: Balance) -> Result<(), PSP22Error>;
}

#[ink::trait_definition]
pub trait PSP22Metadata {
    #[ink(message)]
    fn token_name(&self) -> Option<String>;
    #[ink(message)]
    fn token_symbol(&self) -> Option<String>;
    #[ink(message)]
    fn token_decimals(&self) -> u8;
}

#[ink::trait_definition]
pub trait PSP22Burnable {
    /// Destroys `value` of the caller's tokens (for TAO: a recycle, which lowers issuance).
    #[ink(message)]
    fn burn(&mut self, value: Balance) -> Result<(), PSP22Error>;
}
