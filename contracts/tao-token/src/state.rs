//! The token's state and rules. No environment access: every method takes the caller (and the
//! block where it matters) explicitly and returns the events to emit as data, so the rules are
//! tested directly and the ink! contract in `lib.rs` is a thin shell. Every method either
//! succeeds or returns an error having changed nothing.
use crate::emission::{self, CAP};
use bt_interfaces::{AccountId, Balance, BlockNumber, EmissionInfo, PSP22Error, TokenError};
use ink::prelude::vec::Vec;
use ink::primitives::Hash;
use ink::storage::Mapping;

/// At most this many protocol contracts may pull and recycle on a caller's behalf.
pub const MAX_PROTOCOL_CONTRACTS: usize = 8;

/// A contract allowed to pull and recycle on a holder's behalf, with the code it ran when the
/// token was wired (`None` for an account without code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct ProtocolContract {
    pub account: AccountId,
    pub code_hash: Option<Hash>,
}

/// What happened, for the shell to emit as ink! events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenEvent {
    /// PSP22 transfer; `from: None` is a mint, `to: None` a burn/recycle.
    Transfer { from: Option<AccountId>, to: Option<AccountId>, value: Balance },
    /// PSP22 approval: the allowance is now `amount`.
    Approval { owner: AccountId, spender: AccountId, amount: Balance },
    /// The token was wired to its minter and protocol contracts, for good.
    Configured { minter: AccountId, protocol: Vec<AccountId> },
    /// `holder` lets `protocol` move its TAO while `protocol` runs `code_hash`.
    ProtocolCodeAccepted { holder: AccountId, protocol: AccountId, code_hash: Option<Hash> },
    /// Emission for blocks `(from_block, to_block]` was minted to the minter.
    EmissionMinted { to: AccountId, amount: Balance, from_block: BlockNumber, to_block: BlockNumber },
}

type Events = Vec<TokenEvent>;

#[ink::storage_item]
#[derive(Debug)]
pub struct TokenState {
    balances: Mapping<AccountId, Balance>,
    allowances: Mapping<(AccountId, AccountId), Balance>,
    total_issuance: Balance,
    /// The deployer, until the token is wired; `None` afterwards.
    admin: Option<AccountId>,
    minter: Option<AccountId>,
    protocol: Vec<ProtocolContract>,
    /// Code a holder accepted for a protocol contract after it changed, by (holder, protocol).
    accepted_code: Mapping<(AccountId, AccountId), Option<Hash>>,
    last_emission_block: BlockNumber,
}

impl TokenState {
    /// A token with no supply, wired later by `admin`.
    pub fn new(admin: AccountId) -> Self {
        Self {
            balances: Mapping::default(),
            allowances: Mapping::default(),
            total_issuance: 0,
            admin: Some(admin),
            minter: None,
            protocol: Vec::new(),
            accepted_code: Mapping::default(),
            last_emission_block: 0,
        }
    }

    /// Dev networks and tests only: `genesis` is minted at once and counts against the cap.
    pub fn with_genesis(admin: AccountId, genesis: &[(AccountId, Balance)]) -> Result<(Self, Events), TokenError> {
        let mut state = Self::new(admin);
        let total = genesis
            .iter()
            .try_fold(0u128, |sum, (_, value)| sum.checked_add(*value))
            .ok_or(TokenError::CapExceeded)?;
        if total > CAP {
            return Err(TokenError::CapExceeded);
        }
        let mut events = Vec::new();
        for (to, value) in genesis.iter().filter(|(_, v)| *v > 0) {
            state.mint_to(*to, *value)?;
            events.push(TokenEvent::Transfer { from: None, to: Some(*to), value: *value });
        }
        Ok((state, events))
    }

    // ---- queries ----

    pub fn total_issuance(&self) -> Balance {
        self.total_issuance
    }

    pub fn balance_of(&self, owner: AccountId) -> Balance {
        self.balances.get(owner).unwrap_or(0)
    }

    pub fn allowance(&self, owner: AccountId, spender: AccountId) -> Balance {
        self.allowances.get((owner, spender)).unwrap_or(0)
    }

    pub fn admin(&self) -> Option<AccountId> {
        self.admin
    }

    pub fn minter(&self) -> Option<AccountId> {
        self.minter
    }

    pub fn protocol_contracts(&self) -> Vec<ProtocolContract> {
        self.protocol.clone()
    }

    pub fn emission_info(&self, block: BlockNumber) -> EmissionInfo {
        let issuance = self.total_issuance;
        EmissionInfo {
            total_issuance: issuance,
            cap: CAP,
            block_emission: emission::block_emission(issuance),
            next_halving_issuance: emission::next_halving_issuance(issuance),
            blocks_until_halving: emission::blocks_until_halving(issuance),
            last_emission_block: self.last_emission_block,
            pending_emission: self.pending_emission(block),
        }
    }

    /// What a pull at `block` would mint (0 before wiring).
    pub fn pending_emission(&self, block: BlockNumber) -> Balance {
        if self.minter.is_none() {
            return 0;
        }
        let blocks = block.saturating_sub(self.last_emission_block);
        emission::emission_over(self.total_issuance, u64::from(blocks))
    }

    // ---- wiring ----

    /// Sets the minter and the protocol contracts (with the code each runs now), once, by the
    /// deployer. Emission counts from this block.
    pub fn configure(
        &mut self,
        caller: AccountId,
        block: BlockNumber,
        minter: AccountId,
        protocol: Vec<ProtocolContract>,
    ) -> Result<Events, TokenError> {
        if self.minter.is_some() {
            return Err(TokenError::AlreadyConfigured);
        }
        if self.admin != Some(caller) {
            return Err(TokenError::NotAdmin);
        }
        let zero = AccountId::from([0u8; 32]);
        let accounts: Vec<AccountId> = protocol.iter().map(|p| p.account).collect();
        let duplicate = accounts.iter().enumerate().any(|(i, a)| accounts.iter().skip(i.saturating_add(1)).any(|b| a == b));
        if protocol.len() > MAX_PROTOCOL_CONTRACTS || duplicate || minter == zero || accounts.contains(&zero) {
            return Err(TokenError::InvalidConfiguration);
        }
        self.admin = None;
        self.minter = Some(minter);
        self.protocol = protocol;
        self.last_emission_block = block;
        Ok(ink::prelude::vec![TokenEvent::Configured { minter, protocol: accounts }])
    }

    // ---- PSP22 ----

    pub fn transfer(&mut self, caller: AccountId, to: AccountId, value: Balance) -> Result<Events, PSP22Error> {
        if caller == to || value == 0 {
            return Ok(Vec::new());
        }
        self.move_balance(caller, to, value)?;
        Ok(ink::prelude::vec![TokenEvent::Transfer { from: Some(caller), to: Some(to), value }])
    }

    pub fn transfer_from(
        &mut self,
        caller: AccountId,
        from: AccountId,
        to: AccountId,
        value: Balance,
    ) -> Result<Events, PSP22Error> {
        if caller == from {
            return self.transfer(caller, to, value);
        }
        if from == to || value == 0 {
            return Ok(Vec::new());
        }
        let allowance = self.allowance(from, caller);
        let remaining = allowance.checked_sub(value).ok_or(PSP22Error::InsufficientAllowance)?;
        if self.balance_of(from) < value {
            return Err(PSP22Error::InsufficientBalance);
        }
        self.set_allowance(from, caller, remaining);
        self.move_balance(from, to, value)?;
        Ok(ink::prelude::vec![
            TokenEvent::Approval { owner: from, spender: caller, amount: remaining },
            TokenEvent::Transfer { from: Some(from), to: Some(to), value },
        ])
    }

    pub fn approve(&mut self, caller: AccountId, spender: AccountId, value: Balance) -> Result<Events, PSP22Error> {
        if caller == spender {
            return Ok(Vec::new());
        }
        self.set_allowance(caller, spender, value);
        Ok(ink::prelude::vec![TokenEvent::Approval { owner: caller, spender, amount: value }])
    }

    pub fn increase_allowance(
        &mut self,
        caller: AccountId,
        spender: AccountId,
        delta: Balance,
    ) -> Result<Events, PSP22Error> {
        if caller == spender || delta == 0 {
            return Ok(Vec::new());
        }
        let amount = self.allowance(caller, spender).saturating_add(delta);
        self.approve(caller, spender, amount)
    }

    pub fn decrease_allowance(
        &mut self,
        caller: AccountId,
        spender: AccountId,
        delta: Balance,
    ) -> Result<Events, PSP22Error> {
        if caller == spender || delta == 0 {
            return Ok(Vec::new());
        }
        let amount = self
            .allowance(caller, spender)
            .checked_sub(delta)
            .ok_or(PSP22Error::InsufficientAllowance)?;
        self.approve(caller, spender, amount)
    }

    /// PSP22Burnable: the holder recycles its own tokens (issuance goes down).
    pub fn burn(&mut self, caller: AccountId, value: Balance) -> Result<Events, PSP22Error> {
        if value == 0 {
            return Ok(Vec::new());
        }
        self.burn_from(caller, value).map_err(|_| PSP22Error::InsufficientBalance)?;
        Ok(ink::prelude::vec![TokenEvent::Transfer { from: Some(caller), to: None, value }])
    }

    // ---- protocol ----

    /// Mints the emission of every block since the last pull to the minter.
    pub fn mint_emission(&mut self, caller: AccountId, block: BlockNumber) -> Result<(Balance, Events), TokenError> {
        let minter = self.minter.ok_or(TokenError::NotConfigured)?;
        if caller != minter {
            return Err(TokenError::NotMinter);
        }
        let from_block = self.last_emission_block;
        let amount = self.pending_emission(block);
        if amount > 0 {
            self.mint_to(minter, amount)?;
        }
        self.last_emission_block = block.max(from_block);
        let mut events = Vec::new();
        if amount > 0 {
            events.push(TokenEvent::Transfer { from: None, to: Some(minter), value: amount });
            events.push(TokenEvent::EmissionMinted { to: minter, amount, from_block, to_block: block });
        }
        Ok((amount, events))
    }

    /// `holder` accepts the code `protocol` runs now (`code_hash`), so that `protocol` may
    /// move its TAO again after an upgrade.
    pub fn accept_protocol_code(&mut self, holder: AccountId, protocol: AccountId, code_hash: Option<Hash>) -> Result<Events, TokenError> {
        if !self.protocol.iter().any(|p| p.account == protocol) {
            return Err(TokenError::NotProtocol);
        }
        self.accepted_code.insert((holder, protocol), &code_hash);
        Ok(ink::prelude::vec![TokenEvent::ProtocolCodeAccepted { holder, protocol, code_hash }])
    }

    /// A protocol contract (`caller`, now running `code`) moves `value` from the account that
    /// called it to itself.
    pub fn pull(&mut self, caller: AccountId, code: Option<Hash>, from: AccountId, value: Balance) -> Result<Events, TokenError> {
        self.ensure_protocol(caller, code, from)?;
        if value == 0 || from == caller {
            return Ok(Vec::new());
        }
        self.move_balance(from, caller, value).map_err(|_| TokenError::InsufficientBalance)?;
        Ok(ink::prelude::vec![TokenEvent::Transfer { from: Some(from), to: Some(caller), value }])
    }

    /// A protocol contract (`caller`, now running `code`) recycles `value` of `from`'s tokens
    /// (issuance goes down).
    pub fn recycle_from(&mut self, caller: AccountId, code: Option<Hash>, from: AccountId, value: Balance) -> Result<Events, TokenError> {
        self.ensure_protocol(caller, code, from)?;
        if value == 0 {
            return Ok(Vec::new());
        }
        self.burn_from(from, value)?;
        Ok(ink::prelude::vec![TokenEvent::Transfer { from: Some(from), to: None, value }])
    }

    // ---- internals ----

    /// `caller` may move `from`'s TAO: it is a protocol contract, and it runs the code it ran at
    /// wiring or code that `from` has accepted since. A contract's own TAO is always its own.
    fn ensure_protocol(&self, caller: AccountId, code: Option<Hash>, from: AccountId) -> Result<(), TokenError> {
        if self.minter.is_none() {
            return Err(TokenError::NotConfigured);
        }
        let wired = self.protocol.iter().find(|p| p.account == caller).ok_or(TokenError::NotProtocol)?;
        if from == caller || wired.code_hash == code || self.accepted_code.get((from, caller)) == Some(code) {
            return Ok(());
        }
        Err(TokenError::ProtocolCodeChanged)
    }

    fn set_allowance(&mut self, owner: AccountId, spender: AccountId, value: Balance) {
        if value == 0 {
            self.allowances.remove((owner, spender));
        } else {
            self.allowances.insert((owner, spender), &value);
        }
    }

    fn set_balance(&mut self, owner: AccountId, value: Balance) {
        if value == 0 {
            self.balances.remove(owner);
        } else {
            self.balances.insert(owner, &value);
        }
    }

    fn move_balance(&mut self, from: AccountId, to: AccountId, value: Balance) -> Result<(), PSP22Error> {
        let from_balance = self.balance_of(from).checked_sub(value).ok_or(PSP22Error::InsufficientBalance)?;
        // Cannot overflow: every balance is part of total issuance, which is at most the cap.
        let to_balance = self
            .balance_of(to)
            .checked_add(value)
            .ok_or(PSP22Error::Custom(ink::prelude::string::String::from("Overflow")))?;
        self.set_balance(from, from_balance);
        self.set_balance(to, to_balance);
        Ok(())
    }

    fn mint_to(&mut self, to: AccountId, value: Balance) -> Result<(), TokenError> {
        let issuance = self.total_issuance.checked_add(value).ok_or(TokenError::Overflow)?;
        if issuance > CAP {
            return Err(TokenError::CapExceeded);
        }
        let balance = self.balance_of(to).checked_add(value).ok_or(TokenError::Overflow)?;
        self.total_issuance = issuance;
        self.set_balance(to, balance);
        Ok(())
    }

    fn burn_from(&mut self, from: AccountId, value: Balance) -> Result<(), TokenError> {
        let balance = self.balance_of(from).checked_sub(value).ok_or(TokenError::InsufficientBalance)?;
        let issuance = self.total_issuance.checked_sub(value).ok_or(TokenError::Overflow)?;
        self.set_balance(from, balance);
        self.total_issuance = issuance;
        Ok(())
    }
}
