//! What many commands share: where the chain is, which keys sign, how results are shown.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;

use crate::chain::{CallError, Chain, Deployment, Included};
use crate::wallet::{self, Wallet};
use crate::wire::{AccountId, Hotkey};

/// Where the suite is.
#[derive(Args, Debug, Clone)]
pub struct ChainArgs {
    /// Deployment file with the suite's addresses (written by scripts/deploy.sh). Default:
    /// ./deployment.json if present, else ~/.bittensor-ink/deployment.json.
    #[arg(long, env = "BT_DEPLOYMENT", global = true)]
    pub deployment: Option<PathBuf>,
    /// Node WebSocket URL (default: the one in the deployment file).
    #[arg(long, env = "BT_URL", global = true)]
    pub url: Option<String>,
}

impl ChainArgs {
    pub async fn connect(&self) -> Result<Chain> {
        let path = self
            .deployment
            .clone()
            .unwrap_or_else(Deployment::default_path);
        let deployment = Deployment::load(&path)?;
        Chain::connect(deployment, self.url.as_deref(), Duration::from_secs(30)).await
    }
}

/// Which keys sign: a wallet's coldkey and one of its hotkeys, or development URIs.
#[derive(Args, Debug, Clone)]
pub struct KeyArgs {
    /// Wallet name (see `neuron wallet list`), or a development URI such as //Alice whose key
    /// is then the coldkey (local networks only).
    #[arg(long, short = 'w', env = "BT_WALLET", default_value = "default")]
    pub wallet: String,
    /// Hotkey name inside the wallet, or a development URI such as //Bob.
    #[arg(long, short = 'k', env = "BT_HOTKEY", default_value = "default")]
    pub hotkey: String,
    /// File holding a hotkey's mnemonic or secret URI (chmod 600); overrides --hotkey.
    #[arg(long)]
    pub hotkey_file: Option<PathBuf>,
    /// Wallets directory.
    #[arg(long, env = "BT_WALLETS_DIR")]
    pub wallets_dir: Option<PathBuf>,
}

impl KeyArgs {
    pub fn wallets_dir(&self) -> PathBuf {
        self.wallets_dir
            .clone()
            .unwrap_or_else(wallet::default_wallets_dir)
    }

    fn open_wallet(&self) -> Result<Wallet> {
        Wallet::open(&self.wallets_dir(), &self.wallet)
    }

    /// The coldkey, opened (asks for the password of a real wallet).
    pub fn coldkey(&self) -> Result<Hotkey> {
        if looks_like_uri(&self.wallet) {
            return dev_uri_only(&self.wallet, "--wallet");
        }
        self.open_wallet()?.coldkey()
    }

    /// The coldkey's address (no password needed).
    pub fn coldkey_account(&self) -> Result<AccountId> {
        if looks_like_uri(&self.wallet) {
            return Ok(dev_uri_only(&self.wallet, "--wallet")?.account());
        }
        self.open_wallet()?.coldkey_address()
    }

    /// The hotkey, able to sign.
    pub fn hotkey(&self) -> Result<Hotkey> {
        if let Some(path) = &self.hotkey_file {
            return Hotkey::from_file(path);
        }
        if looks_like_uri(&self.hotkey) {
            return dev_uri_only(&self.hotkey, "--hotkey");
        }
        if looks_like_uri(&self.wallet) {
            bail!(
                "--hotkey `{}` names a wallet hotkey, but --wallet is a development URI; pass a \
                 development hotkey too (for example --hotkey //Bob) or a wallet name",
                self.hotkey
            );
        }
        self.open_wallet()?.hotkey(&self.hotkey)
    }

    /// The hotkey's address: also accepts an SS58 address in --hotkey.
    pub fn hotkey_account(&self) -> Result<AccountId> {
        if self.hotkey_file.is_none() {
            if let Ok(a) = self.hotkey.parse::<AccountId>() {
                return Ok(a);
            }
        }
        Ok(self.hotkey()?.account())
    }
}

/// A key URI rather than a name: a dev URI (`//Alice`), or a secret (a phrase) that
/// [`dev_uri_only`] refuses without echoing it.
fn looks_like_uri(v: &str) -> bool {
    v.starts_with("//") || v.chars().any(char::is_whitespace) || v.starts_with("0x")
}

/// How a miner or validator gets its hotkey (dev URI, key file, or a wallet hotkey).
pub type HotkeyArgs = KeyArgs;

/// Refuses anything but a dev URI where a secret would sit on the command line.
pub fn dev_uri_only(uri: &str, flag: &str) -> Result<Hotkey> {
    if !Hotkey::is_dev_uri(uri) {
        bail!(
            "refusing a secret key on the command line ({flag}): it would be visible in `ps` and \
             in shell history. Only development URIs such as //Alice are accepted here; use a \
             wallet (`neuron wallet new`) or a key file (chmod 600, --hotkey-file)"
        );
    }
    Hotkey::from_uri(uri)
}

/// An SS58 address or a development URI's address. The input is never echoed: a mistyped
/// address may be a mnemonic pasted into the wrong place.
pub fn parse_account(s: &str, flag: &str) -> Result<AccountId> {
    if let Ok(id) = s.parse::<AccountId>() {
        return Ok(id);
    }
    if Hotkey::is_dev_uri(s) {
        return Hotkey::from_uri(s).map(|k| k.account());
    }
    bail!(
        "{flag} is neither an SS58 address nor a development URI such as //Bob (input not \
         shown, in case it is a secret); pass the account's public SS58 address"
    )
}

/// Prints `value` as JSON (for `--json`).
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Runs a chain write under a spinner on stderr, then prints where it landed and its events.
pub async fn submit<T, F>(what: &str, json: bool, write: F) -> Result<Included<T>>
where
    F: Future<Output = Result<Included<T>, CallError>>,
{
    let spinner = spinner(&format!("{what}: dry run, signing, waiting for a block"));
    let outcome = write.await;
    spinner.finish_and_clear();
    let included = outcome?;
    if !json {
        included.report(what);
    }
    Ok(included)
}

pub use crate::progress::spinner;

/// The result of a write, for `--json`.
#[derive(Debug, Serialize)]
pub struct WriteReport<T: Serialize> {
    pub block: u32,
    pub extrinsic: String,
    pub value: T,
    pub events: Vec<crate::chain::events::ContractEvent>,
}

impl<T: Serialize> WriteReport<T> {
    pub fn new<U>(inc: &Included<U>, value: T) -> Self {
        Self {
            block: inc.block,
            extrinsic: format!("0x{}", hex::encode(inc.extrinsic_hash.0)),
            value,
            events: inc.events.clone(),
        }
    }
}

/// A TAO amount given as a float (peers files, miner thresholds) in RAO.
pub fn tao_to_rao(tao: f64) -> Result<u64> {
    if !(tao.is_finite() && (0.0..=21e6).contains(&tao)) {
        bail!("stake must be between 0 and 21,000,000 TAO, got {tao}");
    }
    Ok((tao * 1e9).round() as u64)
}

/// Prints the native balance the hotkey pays fees and deposits from, and warns when it runs
/// low (every weight, axon and consent is an extrinsic).
pub async fn report_fee_balance(chain: &Chain, who: AccountId, role: &str) -> Result<()> {
    let token = chain.rpc.native_token().await?;
    let have = chain.rpc.native_balance(who).await?;
    let low = token.unit().saturating_mul(5);
    if have < low {
        tracing::warn!(
            "{role} {who} holds {} of the chain's native token, which pays its fees and storage \
             deposits: top it up (`neuron wallet transfer --native --to {who} --amount 100`)",
            token.format(have)
        );
    } else {
        tracing::info!("{role} {who} pays fees from {}", token.format(have));
    }
    Ok(())
}
