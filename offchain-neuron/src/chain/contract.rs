//! Contract calls: reads as dry runs, writes as `Contracts::call` extrinsics with the dry run as
//! a pre-flight. Messages come from the contracts' own call builders (their host build with
//! `ink-as-dependency`), so selectors and argument layouts are the contracts' own. The
//! pallet's runtime API and extrinsic are encoded and decoded through the node's metadata.

use anyhow::{Context, Result, anyhow, bail};
use ink::env::DefaultEnvironment;
use ink::env::call::utils::{ReturnType, Set};
use ink::env::call::{Call, CallBuilder, ExecutionInput};
use ink::scale::{Decode, Encode};
use subxt::dynamic::Value;
use subxt::ext::scale_value::{At, Primitive, ValueDef};
use subxt::tx::TxStatus;
use subxt_signer::sr25519::Keypair;

use super::events::{ContractEvent, decode_contract_events};
use super::explain::{Explain, Refusal};
use super::rpc::{Rpc, deadline, retry};
use crate::wire::AccountId;

/// A message to a contract, as the contracts' call builders produce it.
pub type Message<Args, R> = CallBuilder<
    DefaultEnvironment,
    Set<Call<DefaultEnvironment>>,
    Set<ExecutionInput<Args>>,
    Set<ReturnType<R>>,
>;

/// Gas headroom over the dry run, in percent. The dry run executes on the current block and
/// the extrinsic in the next, where block-dependent work (emission since the last pull, stake
/// maturing, prices) differs; unused gas is refunded.
pub const GAS_MARGIN_PERCENT: u64 = 30;
/// Blocks a signed extrinsic stays valid for.
const MORTALITY_BLOCKS: u64 = 64;
/// How long a submitted extrinsic may take to reach a block.
pub const INCLUSION_DEADLINE: std::time::Duration = std::time::Duration::from_secs(90);

/// Weight in the pallet's two dimensions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Weight {
    pub ref_time: u64,
    pub proof_size: u64,
}

impl Weight {
    fn with_margin(self, percent: u64) -> Self {
        let grow = |v: u64| v.saturating_add(v.saturating_mul(percent) / 100);
        Self {
            ref_time: grow(self.ref_time),
            proof_size: grow(self.proof_size),
        }
    }
}

/// What a dry run says about a call.
#[derive(Debug, Clone)]
pub struct DryRun<R> {
    pub value: R,
    pub gas_required: Weight,
    /// Storage deposit the call would charge (positive) or refund (negative), native units.
    pub storage_deposit: i128,
}

/// Why a write did not happen (or did not do what was asked).
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The contract refused in the dry run: nothing was sent.
    #[error("{action} refused: {}. {}", .refusal.reason, .refusal.fix)]
    Refused {
        action: String,
        refusal: Refusal,
        /// The contract's error variant, as its Debug form (`TooSoon { blocks_left: 37 }`).
        code: String,
    },
    /// The chain refused or failed the extrinsic.
    #[error("{action} failed on chain: {reason}")]
    Failed { action: String, reason: String },
    /// Connection, deadline or decoding trouble.
    #[error("{action}: {cause:#}")]
    Transport {
        action: String,
        cause: anyhow::Error,
    },
}

/// An included write: its return value, block and decoded events.
#[derive(Debug, Clone)]
pub struct Included<T> {
    pub value: T,
    pub block: u32,
    pub block_hash: subxt::utils::H256,
    pub extrinsic_hash: subxt::utils::H256,
    pub gas_limit: Weight,
    pub events: Vec<ContractEvent>,
}

impl<T> Included<T> {
    /// Says on stderr where the write landed and what the contracts emitted.
    pub fn report(&self, what: &str) {
        eprintln!(
            "{what}: included in block {} (extrinsic 0x{})",
            self.block,
            hex::encode(self.extrinsic_hash.0)
        );
        for e in &self.events {
            eprintln!("  event {}: {}", e.name, e.text);
        }
    }
}

/// Accounts in the three spellings the crates use.
pub fn ink_account(a: AccountId) -> ink::primitives::AccountId {
    ink::primitives::AccountId::from(a.0)
}

pub fn wire_account(a: &ink::primitives::AccountId) -> AccountId {
    let mut out = [0u8; 32];
    out.copy_from_slice(a.as_ref());
    AccountId(out)
}

pub fn signer_account(k: &Keypair) -> AccountId {
    AccountId(k.public_key().0)
}

/// Who a free read runs as: any account works for a message that does not look at the caller.
const READER: AccountId = AccountId([0u8; 32]);

impl Rpc {
    /// Dry-runs `message` as `origin` on the best block and decodes the contract's answer.
    pub async fn dry_run<Args: Encode + Clone, R: Decode>(
        &self,
        origin: AccountId,
        message: &Message<Args, R>,
    ) -> Result<DryRun<R>> {
        self.dry_run_at(origin, message, None).await
    }

    /// [`Rpc::dry_run`] on block `at` (None: the best block at each attempt). Reads of several
    /// pages at one block hash see one consistent state.
    pub async fn dry_run_at<Args: Encode + Clone, R: Decode>(
        &self,
        origin: AccountId,
        message: &Message<Args, R>,
        at: Option<subxt::utils::H256>,
    ) -> Result<DryRun<R>> {
        let params = message.clone().params();
        let dest = wire_account(params.callee());
        let input = params.exec_input().encode();
        let value = *params.transferred_value();
        let raw = retry("dry-run a contract call", || {
            let input = input.clone();
            async move {
                let at = match at {
                    Some(h) => h,
                    None => self.best_block().await?.1,
                };
                let payload = subxt::dynamic::runtime_api_call(
                    "ContractsApi",
                    "call",
                    vec![
                        Value::from_bytes(origin.0),
                        Value::from_bytes(dest.0),
                        Value::u128(value),
                        Value::unnamed_variant("None", []),
                        Value::unnamed_variant("None", []),
                        Value::from_bytes(input),
                    ],
                );
                let thunk = self.client.runtime_api().at(at).call(payload).await?;
                Ok(thunk.to_value()?)
            }
        })
        .await?;
        let gas_required = weight(field(&raw, "gas_required")?)?;
        let storage_deposit = match variant(field(&raw, "storage_deposit")?)? {
            ("Charge", v) => i128::try_from(first_number(v)?).unwrap_or(i128::MAX),
            (_, v) => -i128::try_from(first_number(v)?).unwrap_or(i128::MAX),
        };
        let data = match variant(field(&raw, "result")?)? {
            ("Ok", ok) => bytes(
                ok.at(0)
                    .and_then(|v| v.at("data"))
                    .ok_or_else(|| anyhow!("dry run result has no data"))?,
            )?,
            (_, err) => {
                let debug = bytes(field(&raw, "debug_message")?).unwrap_or_default();
                let why = self.describe_dispatch_error(err.at(0).unwrap_or(err));
                let debug = String::from_utf8_lossy(&debug);
                if why.contains("StorageDeposit") {
                    bail!(
                        "{origin} cannot pay the storage deposit this call needs ({why}): fund it with the chain's native token, e.g. `neuron wallet transfer --native --to {origin} --amount 10`"
                    );
                }
                bail!(
                    "the contract call failed in the node: {why}{}",
                    if debug.is_empty() {
                        String::new()
                    } else {
                        format!(" ({debug})")
                    }
                );
            }
        };
        let decoded = ink::MessageResult::<R>::decode(&mut &data[..])
            .context("the contract's answer does not decode as this message's return type: is the deployment file for this suite's version?")?
            .map_err(|e| anyhow!("the contract does not understand the message ({e:?}): is the deployment file for this suite's version?"))?;
        Ok(DryRun {
            value: decoded,
            gas_required,
            storage_deposit,
        })
    }

    /// A free read: the message's return value at the best block.
    pub async fn read<Args: Encode + Clone, R: Decode>(
        &self,
        message: &Message<Args, R>,
    ) -> Result<R> {
        Ok(self.dry_run(READER, message).await?.value)
    }

    /// A free read at block `at`.
    pub async fn read_at<Args: Encode + Clone, R: Decode>(
        &self,
        message: &Message<Args, R>,
        at: subxt::utils::H256,
    ) -> Result<R> {
        Ok(self.dry_run_at(READER, message, Some(at)).await?.value)
    }

    /// Signs and submits `message` as `signer` after a dry run; waits for inclusion. A refusal
    /// in the dry run is returned in words and nothing is sent.
    pub async fn send<Args: Encode + Clone, T: Decode, E: Decode + Explain + std::fmt::Debug>(
        &self,
        action: &str,
        signer: &Keypair,
        message: &Message<Args, Result<T, E>>,
    ) -> Result<Included<T>, CallError> {
        let transport = |cause: anyhow::Error| CallError::Transport {
            action: action.to_string(),
            cause,
        };
        let dry = self
            .dry_run(signer_account(signer), message)
            .await
            .map_err(transport)?;
        let value = match dry.value {
            Ok(v) => v,
            Err(e) => {
                return Err(CallError::Refused {
                    action: action.to_string(),
                    refusal: e.explain(),
                    code: format!("{e:?}"),
                });
            }
        };
        let gas_limit = dry.gas_required.with_margin(GAS_MARGIN_PERCENT);
        let deposit_limit = u128::try_from(dry.storage_deposit.max(0))
            .unwrap_or(0)
            .saturating_mul(100 + u128::from(GAS_MARGIN_PERCENT))
            / 100;
        let params = message.clone().params();
        let tx = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(wire_account(params.callee()).0)]),
                Value::u128(*params.transferred_value()),
                Value::named_composite([
                    ("ref_time", Value::u128(u128::from(gas_limit.ref_time))),
                    ("proof_size", Value::u128(u128::from(gas_limit.proof_size))),
                ]),
                Value::unnamed_variant("Some", [Value::u128(deposit_limit.max(1))]),
                Value::from_bytes(params.exec_input().encode()),
            ],
        );
        let (block, block_hash, extrinsic_hash, events) = self.submit(action, signer, &tx).await?;
        let events = decode_contract_events(&events).map_err(transport)?;
        Ok(Included {
            value,
            block,
            block_hash,
            extrinsic_hash,
            gas_limit,
            events,
        })
    }

    /// Signs, submits and waits until `tx` is in a best block; decodes `ExtrinsicFailed`.
    pub async fn submit<Call: subxt::tx::Payload>(
        &self,
        action: &str,
        signer: &Keypair,
        tx: &Call,
    ) -> Result<
        (
            u32,
            subxt::utils::H256,
            subxt::utils::H256,
            subxt::blocks::ExtrinsicEvents<subxt::PolkadotConfig>,
        ),
        CallError,
    > {
        let transport = |cause: anyhow::Error| CallError::Transport {
            action: action.to_string(),
            cause,
        };
        // Mortal from the best block (not the finalized one, which can lag far behind).
        let best = retry("read the best header", || async {
            self.legacy
                .chain_get_header(None)
                .await?
                .ok_or_else(|| anyhow!("the node returned no best header"))
        })
        .await
        .map_err(transport)?;
        // The next nonce as the node's pool sees it (subxt's default reads the finalized state,
        // which misses transactions in recent blocks).
        let who: subxt::utils::AccountId32 = signer.public_key().to_account_id();
        let nonce = retry("read the account's nonce", || async {
            Ok(self.legacy.system_account_next_index(&who).await?)
        })
        .await
        .map_err(transport)?;
        let params = subxt::config::DefaultExtrinsicParamsBuilder::<subxt::PolkadotConfig>::new()
            .mortal(&best, MORTALITY_BLOCKS)
            .nonce(nonce)
            .build();
        let mut progress = deadline(
            self.client
                .tx()
                .sign_and_submit_then_watch(tx, signer, params),
        )
        .await
        .map_err(transport)?
        .map_err(|e| match e {
            subxt::Error::Rpc(_) => transport(anyhow!(e).context("the node did not accept the transaction")),
            other => CallError::Failed {
                action: action.to_string(),
                reason: format!("the transaction was rejected before inclusion: {other}. If this says the account cannot pay, fund it with the chain's native token (fees and storage deposits)"),
            },
        })?;
        let wait = async {
            while let Some(status) = progress.next().await {
                match status {
                    Ok(TxStatus::InBestBlock(in_block) | TxStatus::InFinalizedBlock(in_block)) => {
                        let block_hash = in_block.block_hash();
                        let extrinsic_hash = in_block.extrinsic_hash();
                        return match in_block.wait_for_success().await {
                            Ok(events) => Ok((block_hash, extrinsic_hash, events)),
                            Err(subxt::Error::Runtime(err)) => Err(CallError::Failed {
                                action: action.to_string(),
                                reason: describe_runtime_error(&err),
                            }),
                            Err(other) => Err(transport(anyhow!(other))),
                        };
                    }
                    Ok(TxStatus::Error { message })
                    | Ok(TxStatus::Invalid { message })
                    | Ok(TxStatus::Dropped { message }) => {
                        return Err(CallError::Failed {
                            action: action.to_string(),
                            reason: format!("the transaction pool dropped it: {message}"),
                        });
                    }
                    Ok(_) => continue,
                    Err(e) => return Err(transport(anyhow!(e).context("lost the transaction's status (the connection dropped?); check its effect before resending"))),
                }
            }
            Err(transport(anyhow!(
                "the node closed the transaction's status stream before inclusion; check its effect before resending"
            )))
        };
        let (block_hash, extrinsic_hash, events) =
            tokio::time::timeout(INCLUSION_DEADLINE, wait)
                .await
                .map_err(|_| transport(anyhow!("not included within {INCLUSION_DEADLINE:?}; the node may not be producing blocks")))??;
        let block = retry("read the inclusion block", || async {
            Ok(self
                .legacy
                .chain_get_header(Some(block_hash))
                .await?
                .map(|h| h.number)
                .unwrap_or_default())
        })
        .await
        .map_err(transport)?;
        Ok((block, block_hash, extrinsic_hash, events))
    }

    /// Names a `DispatchError` from a dry run (a module error by pallet and variant, with the
    /// pallet's own doc line).
    fn describe_dispatch_error(&self, err: &Value<u32>) -> String {
        let ValueDef::Variant(v) = &err.value else {
            return format!("{err}");
        };
        if v.name != "Module" {
            return v.name.clone();
        }
        let inner = v.values.values().next();
        let index = inner.and_then(|m| m.at("index")).and_then(|i| i.as_u128());
        let code = inner
            .and_then(|m| m.at("error"))
            .and_then(|e| e.at(0))
            .and_then(|b| b.as_u128());
        let metadata = self.client.metadata();
        match (index, code) {
            (Some(i), Some(c)) => match metadata.pallet_by_index(i as u8) {
                Some(p) => match p.error_variant_by_index(c as u8) {
                    Some(var) => {
                        format!("{}.{}: {}", p.name(), var.name, var.docs.join(" ").trim())
                    }
                    None => format!("{} error {c}", p.name()),
                },
                None => format!("module {i} error {c}"),
            },
            _ => "module error".into(),
        }
    }
}

fn describe_runtime_error(err: &subxt::error::DispatchError) -> String {
    match err {
        subxt::error::DispatchError::Module(m) => match m.details() {
            Ok(d) => {
                let docs = d.variant.docs.join(" ");
                let hint = match d.variant.name.as_str() {
                    "ContractReverted" => {
                        " (the contract refused in the block it ran in: the state changed since the dry run; run the command again to see the reason)"
                    }
                    "OutOfGas" => " (the state changed since the dry run; run the command again)",
                    "StorageDepositLimitExhausted" | "StorageDepositNotEnoughFunds" => {
                        " (the signing account needs more of the chain's native token for the storage deposit)"
                    }
                    _ => "",
                };
                format!(
                    "{}.{}: {}{hint}",
                    d.pallet.name(),
                    d.variant.name,
                    docs.trim()
                )
            }
            Err(_) => format!("{m:?}"),
        },
        other => format!("{other}"),
    }
}

fn field<'a>(v: &'a Value<u32>, name: &str) -> Result<&'a Value<u32>> {
    v.at(name).ok_or_else(|| {
        anyhow!("the node's ContractsApi answer has no `{name}` (unsupported node version?)")
    })
}

fn variant(v: &Value<u32>) -> Result<(&str, &Value<u32>)> {
    match &v.value {
        ValueDef::Variant(var) => Ok((var.name.as_str(), v)),
        _ => bail!("expected an enum value in the node's answer, got {v}"),
    }
}

fn weight(v: &Value<u32>) -> Result<Weight> {
    let get = |n: &str| -> Result<u64> {
        let x = field(v, n)?
            .as_u128()
            .ok_or_else(|| anyhow!("{n} is not a number"))?;
        Ok(u64::try_from(x).unwrap_or(u64::MAX))
    };
    Ok(Weight {
        ref_time: get("ref_time")?,
        proof_size: get("proof_size")?,
    })
}

/// The first number inside a value (a variant's payload, a newtype).
fn first_number(v: &Value<u32>) -> Result<u128> {
    fn walk(v: &Value<u32>) -> Option<u128> {
        match &v.value {
            ValueDef::Primitive(Primitive::U128(n)) => Some(*n),
            ValueDef::Composite(c) => c.values().find_map(walk),
            ValueDef::Variant(var) => var.values.values().find_map(walk),
            _ => None,
        }
    }
    walk(v).ok_or_else(|| anyhow!("expected a number in {v}"))
}

/// A `Vec<u8>` decoded dynamically (a composite of u8 primitives).
pub(super) fn bytes(v: &Value<u32>) -> Result<Vec<u8>> {
    let ValueDef::Composite(c) = &v.value else {
        bail!("expected bytes, got {v}");
    };
    c.values()
        .map(|b| {
            b.as_u128()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| anyhow!("expected a byte, got {b}"))
        })
        .collect()
}
