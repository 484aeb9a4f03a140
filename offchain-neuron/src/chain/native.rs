//! The host chain's own token: every extrinsic (a hotkey's weights, an axon, a consent) pays its
//! fee and storage deposit in it, not in TAO.

use anyhow::{Result, anyhow};
use subxt::dynamic::Value;
use subxt::ext::scale_value::At;
use subxt_signer::sr25519::Keypair;

use super::contract::CallError;
use super::rpc::{Rpc, retry};
use crate::wire::AccountId;

/// The native token's symbol and decimals, as the node announces them.
#[derive(Debug, Clone)]
pub struct NativeToken {
    pub symbol: String,
    pub decimals: u32,
}

impl NativeToken {
    pub fn format(&self, amount: u128) -> String {
        let unit = 10u128.saturating_pow(self.decimals);
        let whole = amount / unit;
        let frac = amount % unit;
        if frac == 0 {
            format!("{whole} {}", self.symbol)
        } else {
            let digits = format!("{frac:0width$}", width = self.decimals as usize);
            let digits = digits.trim_end_matches('0');
            let shown = &digits[..digits.len().min(4)];
            if shown.trim_end_matches('0').is_empty() {
                format!("{whole}.{digits} {}", self.symbol)
            } else {
                format!("{whole}.{shown} {}", self.symbol)
            }
        }
    }

    /// One whole unit in the smallest denomination.
    pub fn unit(&self) -> u128 {
        10u128.saturating_pow(self.decimals)
    }
}

impl Rpc {
    /// Symbol and decimals from the node's properties (UNIT and 12 when it does not say).
    pub async fn native_token(&self) -> Result<NativeToken> {
        let props = retry("read the chain's properties", || async {
            Ok(self.legacy.system_properties().await?)
        })
        .await?;
        let symbol = props
            .get("tokenSymbol")
            .and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.get(0)?.as_str().map(str::to_string))
            })
            .unwrap_or_else(|| "UNIT".into());
        let decimals = props
            .get("tokenDecimals")
            .and_then(|v| v.as_u64().or_else(|| v.get(0)?.as_u64()))
            .unwrap_or(12) as u32;
        Ok(NativeToken { symbol, decimals })
    }

    /// The account's free native balance at the best block.
    pub async fn native_balance(&self, who: AccountId) -> Result<u128> {
        retry("read a native balance", || async {
            let (_, at) = self.best_block().await?;
            let query =
                subxt::dynamic::storage("System", "Account", vec![Value::from_bytes(who.0)]);
            let found = self.client.storage().at(at).fetch(&query).await?;
            let Some(thunk) = found else {
                return Ok(0);
            };
            let value = thunk.to_value()?;
            value
                .at("data")
                .and_then(|d| d.at("free"))
                .and_then(|f| f.as_u128())
                .ok_or_else(|| anyhow!("System.Account has no data.free (unsupported runtime?)"))
        })
        .await
    }

    /// The smallest balance an account may hold.
    pub fn existential_deposit(&self) -> Result<u128> {
        let address = subxt::dynamic::constant("Balances", "ExistentialDeposit");
        let value = self.client.constants().at(&address)?.to_value()?;
        value
            .as_u128()
            .ok_or_else(|| anyhow!("Balances.ExistentialDeposit is not a number"))
    }

    /// Sends native token (keeping the sender alive): how a coldkey pays for its hotkeys' fees.
    pub async fn native_transfer(
        &self,
        from: &Keypair,
        to: AccountId,
        amount: u128,
    ) -> Result<u32, CallError> {
        let tx = subxt::dynamic::tx(
            "Balances",
            "transfer_keep_alive",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(to.0)]),
                Value::u128(amount),
            ],
        );
        let (block, ..) = self.submit("native transfer", from, &tx).await?;
        Ok(block)
    }

    /// Tops `to` up to `target` from `from` when it holds less than `below` (fees and deposits
    /// of an account that signs unattended). Returns (what it held, what was sent), if anything
    /// was sent.
    pub async fn top_up_native(
        &self,
        from: &Keypair,
        to: AccountId,
        below: u128,
        target: u128,
    ) -> Result<Option<(u128, u128)>> {
        let have = self.native_balance(to).await?;
        if have >= below {
            return Ok(None);
        }
        let amount = target.saturating_sub(have);
        self.native_transfer(from, to, amount).await?;
        Ok(Some((have, amount)))
    }

    /// Sends an empty remark: a transaction that only makes a block (a dev node seals blocks
    /// on transactions).
    pub async fn remark(&self, signer: &Keypair) -> Result<u32, CallError> {
        let tx = subxt::dynamic::tx(
            "System",
            "remark",
            vec![Value::from_bytes(Vec::<u8>::new())],
        );
        let (block, ..) = self.submit("remark", signer, &tx).await?;
        Ok(block)
    }
}
