//! A typed harness over drink's in-process pallet-contracts sandbox, for the suite's release
//! `.contract` bundles (built by `scripts/build-contracts.sh`).
//!
//! Calls are encoded from selectors and SCALE arguments, and results decoded into the
//! contracts' own Rust types, so a test reads `chain.call::<Result<u128, TokenError>>(..)`
//! and compares typed errors, not strings.
use drink::minimal::MinimalSandbox;
use drink::pallet_contracts::Determinism;
use drink::sandbox_api::prelude::*;
pub use drink::{AccountId32, Weight};
use parity_scale_codec::{Decode, Encode};

pub mod suite;

/// Gas for every call: the node's per-extrinsic maximum (about 1.3e12 ref_time), not the
/// sandbox's 1e11 default, so heavy messages behave as they would on a real chain.
pub const GAS_LIMIT: Weight = Weight::from_parts(1_300_000_000_000, 5 * 1024 * 1024);

/// The wasm of contract package `name` (e.g. "tao_token"), from its release bundle.
pub fn wasm(name: &str) -> Vec<u8> {
    let path = bt_interfaces::bundles_dir().join(name).join(format!("{name}.contract"));
    match drink::session::ContractBundle::load(&path) {
        Ok(bundle) => bundle.wasm,
        Err(e) => panic!(
            "cannot load {}: {e:?}\nbuild the release bundles first: scripts/build-contracts.sh",
            path.display()
        ),
    }
}

/// A 4-byte ink! selector of `label` ("new", "PSP22::transfer", ...).
pub fn selector(label: &str) -> [u8; 4] {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(label.as_bytes(), &mut out);
    [out[0], out[1], out[2], out[3]]
}

/// Call data: selector followed by the SCALE-encoded arguments (a tuple encodes as the
/// concatenation of its fields, which is how ink! reads message arguments).
pub fn call_data(label: &str, args: impl Encode) -> Vec<u8> {
    let mut data = selector(label).to_vec();
    args.encode_to(&mut data);
    data
}

/// The ink! AccountId of a sandbox account.
pub fn ink_account(account: &AccountId32) -> ink::primitives::AccountId {
    let bytes: [u8; 32] = *account.as_ref();
    ink::primitives::AccountId::from(bytes)
}

/// How a call went wrong below the level of the message's own typed result.
#[derive(Debug)]
pub enum CallFailure {
    /// The dispatch failed (trap, out of gas, contract not found, ...).
    Dispatch(String),
    /// The message did not decode or was not found (ink! LangError).
    Lang(ink::LangError),
    /// The returned bytes did not decode into the expected type.
    Decode(String),
}

/// A message's decoded return value and the gas its execution consumed.
#[derive(Debug)]
pub struct Outcome<R> {
    pub value: R,
    pub gas_consumed: Weight,
}

pub struct Chain {
    sandbox: MinimalSandbox,
    next_account: u8,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    pub fn new() -> Self {
        Self { sandbox: MinimalSandbox::default(), next_account: 1 }
    }

    /// A fresh account with enough native balance for storage deposits.
    pub fn account(&mut self) -> AccountId32 {
        let seed = self.next_account;
        self.next_account = self.next_account.checked_add(1).expect("at most 254 test accounts");
        let account = AccountId32::new([seed; 32]);
        self.sandbox.mint_into(&account, 1_000_000_000_000_000).expect("mint native balance");
        account
    }

    pub fn block(&mut self) -> u32 {
        self.sandbox.block_number()
    }

    /// Builds `n` blocks.
    pub fn advance(&mut self, n: u32) -> u32 {
        self.sandbox.build_blocks(n)
    }

    /// Moves the chain `n` blocks ahead at once, without building the blocks between (for
    /// waits of days, such as an upgrade delay; building 50,000 blocks takes minutes).
    pub fn skip_blocks(&mut self, n: u32) -> u32 {
        use drink::Sandbox;
        let current = self.sandbox.block_number();
        let next = current.checked_add(n).expect("block number overflow");
        self.sandbox.execute_with(|| {
            let parent = MinimalSandbox::finalize_block(current);
            MinimalSandbox::initialize_block(next, parent);
        });
        next
    }

    /// Uploads `wasm` without instantiating it (code a contract runs with `delegate_call`);
    /// returns its code hash.
    pub fn upload(&mut self, deployer: &AccountId32, wasm: Vec<u8>) -> Result<ink::primitives::Hash, CallFailure> {
        let uploaded = self
            .sandbox
            .upload_contract(wasm, deployer.clone(), None, Determinism::Enforced)
            .map_err(|e| CallFailure::Dispatch(format!("upload: {e:?}")))?;
        Ok(ink::primitives::Hash::from(uploaded.code_hash.0))
    }

    /// Removes uploaded code as `owner` (the pallet's `remove_code` extrinsic): what the
    /// uploader of code that no contract holds on to may do.
    pub fn remove_code(&mut self, owner: &AccountId32, code_hash: ink::primitives::Hash) -> Result<(), String> {
        use drink::frame_support::dispatch::RawOrigin;
        use drink::minimal::MinimalSandboxRuntime;
        use drink::Sandbox;
        let hash: [u8; 32] = code_hash.as_ref().try_into().expect("a code hash is 32 bytes");
        let origin = RawOrigin::Signed(owner.clone()).into();
        self.sandbox
            .execute_with(|| drink::pallet_contracts::Pallet::<MinimalSandboxRuntime>::remove_code(origin, hash.into()))
            .map(|_| ())
            .map_err(|e| format!("{:?}", e.error))
    }

    /// Instantiates `wasm` with constructor `constructor` and `args`; returns the address.
    pub fn deploy(
        &mut self,
        deployer: &AccountId32,
        wasm: Vec<u8>,
        constructor: &str,
        args: impl Encode,
        salt: &[u8],
    ) -> Result<AccountId32, CallFailure> {
        let result = self.sandbox.deploy_contract(
            wasm,
            0,
            call_data(constructor, args),
            salt.to_vec(),
            deployer.clone(),
            GAS_LIMIT,
            None,
        );
        let debug = String::from_utf8_lossy(&result.debug_message).into_owned();
        let ok = result.result.map_err(|e| CallFailure::Dispatch(format!("{e:?} {debug}")))?;
        if ok.result.did_revert() {
            return Err(CallFailure::Dispatch(format!("constructor reverted: {:?}", ok.result.data)));
        }
        Ok(ok.account_id)
    }

    /// Calls `message` on `contract` as `caller` and decodes the return value as `R`
    /// (for fallible messages `R = Result<T, E>`; a reverted call yields `Err(E)`).
    pub fn call<R: Decode>(
        &mut self,
        caller: &AccountId32,
        contract: &AccountId32,
        message: &str,
        args: impl Encode,
    ) -> Result<Outcome<R>, CallFailure> {
        let result = self.sandbox.call_contract(
            contract.clone(),
            0,
            call_data(message, args),
            caller.clone(),
            GAS_LIMIT,
            None,
            Determinism::Enforced,
        );
        let gas_consumed = result.gas_consumed;
        let debug = String::from_utf8_lossy(&result.debug_message).into_owned();
        let exec = result.result.map_err(|e| CallFailure::Dispatch(format!("{message}: {e:?} {debug}")))?;
        let decoded = ink::MessageResult::<R>::decode(&mut &exec.data[..])
            .map_err(|e| CallFailure::Decode(format!("{message}: {e}")))?;
        let value = decoded.map_err(CallFailure::Lang)?;
        Ok(Outcome { value, gas_consumed })
    }

    /// `call` for messages whose result the test only wants unwrapped.
    pub fn query<R: Decode>(&mut self, caller: &AccountId32, contract: &AccountId32, message: &str, args: impl Encode) -> R {
        match self.call::<R>(caller, contract, message, args) {
            Ok(outcome) => outcome.value,
            Err(e) => panic!("{message} failed: {e:?}"),
        }
    }
}
