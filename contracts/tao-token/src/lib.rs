//! TAO, the suite's token: PSP22 with metadata and burn, a 21,000,000 TAO cap, and emission
//! that only the protocol's minter (the consensus ledger) can pull, block by block from the
//! issuance-based halving schedule. No premine: the only supply is emission (plus an optional
//! dev-network genesis allocation that counts against the cap).
//!
//! The rules live in [`state`] and [`emission`]; the contract below only reads the caller and
//! block from the environment, calls them, and emits the events they return.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod emission;
pub mod events;
pub mod state;

#[ink::contract]
pub mod tao_token {
    use crate::events::{Approval, Configured, EmissionMinted, ProtocolCodeAccepted, Transfer};
    use crate::state::{ProtocolContract, TokenEvent, TokenState};
    use bt_interfaces::{
        EmissionInfo, PSP22Burnable, PSP22Error, PSP22Metadata, TaoEmission, TaoProtocol, TokenError, PSP22,
    };
    use ink::prelude::{string::String, vec::Vec};

    #[ink(storage)]
    pub struct TaoToken {
        state: TokenState,
    }

    impl TaoToken {
        /// A token with no supply (fair launch). Wire it with `configure`.
        #[allow(clippy::new_without_default)]
        #[ink(constructor)]
        pub fn new() -> Self {
            Self { state: TokenState::new(Self::env().caller()) }
        }

        /// Dev networks and tests only: a token whose genesis allocation is minted at
        /// deployment. The allocation counts against the cap.
        #[ink(constructor)]
        pub fn new_with_genesis(allocations: Vec<(AccountId, Balance)>) -> Result<Self, TokenError> {
            let (state, events) = TokenState::with_genesis(Self::env().caller(), &allocations)?;
            let token = Self { state };
            token.emit(events);
            Ok(token)
        }

        /// Sets the minter (the consensus ledger) and the protocol contracts that may pull and
        /// recycle on their caller's behalf. Deployer only, once; emission counts from here.
        #[ink(message)]
        pub fn configure(&mut self, minter: AccountId, protocol: Vec<AccountId>) -> Result<(), TokenError> {
            let protocol = protocol
                .into_iter()
                .map(|account| ProtocolContract { account, code_hash: self.env().code_hash(&account).ok() })
                .collect();
            let events = self.state.configure(self.env().caller(), self.env().block_number(), minter, protocol)?;
            self.emit(events);
            Ok(())
        }

        /// The deployer while the token is unwired; `None` afterwards.
        #[ink(message)]
        pub fn admin(&self) -> Option<AccountId> {
            self.state.admin()
        }

        #[ink(message)]
        pub fn minter(&self) -> Option<AccountId> {
            self.state.minter()
        }

        /// The protocol contracts with the code each ran when the token was wired.
        #[ink(message)]
        pub fn protocol_contracts(&self) -> Vec<ProtocolContract> {
            self.state.protocol_contracts()
        }

        /// Lets `protocol` move the caller's TAO again after its code changed since wiring:
        /// the caller accepts the code it runs now (read it first: an upgrade is announced
        /// by an `UpgradeAnnounced` event a week before it can apply).
        #[ink(message)]
        pub fn accept_protocol_code(&mut self, protocol: AccountId) -> Result<(), TokenError> {
            let code = self.env().code_hash(&protocol).ok();
            let events = self.state.accept_protocol_code(self.env().caller(), protocol, code)?;
            self.emit(events);
            Ok(())
        }

        /// The supply cap in RAO (21e15).
        #[ink(message)]
        pub fn cap(&self) -> Balance {
            crate::emission::CAP
        }

        /// The caller and the code it runs now (`None` for an account without code).
        fn caller_and_code(&self) -> (AccountId, Option<Hash>) {
            let caller = self.env().caller();
            (caller, self.env().code_hash(&caller).ok())
        }

        fn emit(&self, events: Vec<TokenEvent>) {
            for event in events {
                match event {
                    TokenEvent::Transfer { from, to, value } => self.env().emit_event(Transfer { from, to, value }),
                    TokenEvent::Approval { owner, spender, amount } => {
                        self.env().emit_event(Approval { owner, spender, amount })
                    }
                    TokenEvent::Configured { minter, protocol } => {
                        self.env().emit_event(Configured { minter, protocol })
                    }
                    TokenEvent::ProtocolCodeAccepted { holder, protocol, code_hash } => {
                        self.env().emit_event(ProtocolCodeAccepted { holder, protocol, code_hash })
                    }
                    TokenEvent::EmissionMinted { to, amount, from_block, to_block } => {
                        self.env().emit_event(EmissionMinted { to, amount, from_block, to_block })
                    }
                }
            }
        }
    }

    impl PSP22 for TaoToken {
        #[ink(message)]
        fn total_supply(&self) -> Balance {
            self.state.total_issuance()
        }

        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> Balance {
            self.state.balance_of(owner)
        }

        #[ink(message)]
        fn allowance(&self, owner: AccountId, spender: AccountId) -> Balance {
            self.state.allowance(owner, spender)
        }

        #[ink(message)]
        fn transfer(&mut self, to: AccountId, value: Balance, _data: Vec<u8>) -> Result<(), PSP22Error> {
            let events = self.state.transfer(self.env().caller(), to, value)?;
            self.emit(events);
            Ok(())
        }

        #[ink(message)]
        fn transfer_from(
            &mut self,
            from: AccountId,
            to: AccountId,
            value: Balance,
            _data: Vec<u8>,
        ) -> Result<(), PSP22Error> {
            let events = self.state.transfer_from(self.env().caller(), from, to, value)?;
            self.emit(events);
            Ok(())
        }

        #[ink(message)]
        fn approve(&mut self, spender: AccountId, value: Balance) -> Result<(), PSP22Error> {
            let events = self.state.approve(self.env().caller(), spender, value)?;
            self.emit(events);
            Ok(())
        }

        #[ink(message)]
        fn increase_allowance(&mut self, spender: AccountId, delta_value: Balance) -> Result<(), PSP22Error> {
            let events = self.state.increase_allowance(self.env().caller(), spender, delta_value)?;
            self.emit(events);
            Ok(())
        }

        #[ink(message)]
        fn decrease_allowance(&mut self, spender: AccountId, delta_value: Balance) -> Result<(), PSP22Error> {
            let events = self.state.decrease_allowance(self.env().caller(), spender, delta_value)?;
            self.emit(events);
            Ok(())
        }
    }

    impl PSP22Metadata for TaoToken {
        #[ink(message)]
        fn token_name(&self) -> Option<String> {
            Some(String::from("Tao"))
        }

        #[ink(message)]
        fn token_symbol(&self) -> Option<String> {
            Some(String::from("TAO"))
        }

        #[ink(message)]
        fn token_decimals(&self) -> u8 {
            9
        }
    }

    impl PSP22Burnable for TaoToken {
        #[ink(message)]
        fn burn(&mut self, value: Balance) -> Result<(), PSP22Error> {
            let events = self.state.burn(self.env().caller(), value)?;
            self.emit(events);
            Ok(())
        }
    }

    impl TaoEmission for TaoToken {
        #[ink(message)]
        fn mint_emission(&mut self) -> Result<Balance, TokenError> {
            let (amount, events) = self.state.mint_emission(self.env().caller(), self.env().block_number())?;
            self.emit(events);
            Ok(amount)
        }

        #[ink(message)]
        fn emission_info(&self) -> EmissionInfo {
            self.state.emission_info(self.env().block_number())
        }
    }

    impl TaoProtocol for TaoToken {
        #[ink(message)]
        fn pull(&mut self, from: AccountId, value: Balance) -> Result<(), TokenError> {
            let (caller, code) = self.caller_and_code();
            let events = self.state.pull(caller, code, from, value)?;
            self.emit(events);
            Ok(())
        }

        #[ink(message)]
        fn recycle_from(&mut self, from: AccountId, value: Balance) -> Result<(), TokenError> {
            let (caller, code) = self.caller_and_code();
            let events = self.state.recycle_from(caller, code, from, value)?;
            self.emit(events);
            Ok(())
        }

        #[ink(message)]
        fn recycle(&mut self, value: Balance) -> Result<(), TokenError> {
            let caller = self.env().caller();
            let events = self.state.recycle_from(caller, None, caller, value)?;
            self.emit(events);
            Ok(())
        }
    }
}
