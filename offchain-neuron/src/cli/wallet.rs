//! `neuron wallet`: create, regenerate, list, inspect, import and export wallets; TAO
//! balances and transfers.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use bt_interfaces::PSP22;
use bt_interfaces::RegistryView;
use clap::Subcommand;
use serde::Serialize;

use super::common::{ChainArgs, KeyArgs, WriteReport, parse_account, print_json, submit};
use crate::chain::ink_account;
use crate::units::{format_tao, parse_tao};
use crate::wallet::keystore::{ColdSecret, KeystoreJson};
use crate::wallet::{self, Wallet, generate_phrase, new_password};
use crate::wire::AccountId;

#[derive(Subcommand, Debug)]
pub enum WalletCommand {
    /// Create a wallet: an encrypted coldkey and a hotkey named `default`. Prints both
    /// mnemonics once: write them down, they are the only backup.
    #[command(after_help = "Examples:\n  \
        neuron wallet new mywallet\n  \
        BT_WALLET_PASSWORD=... neuron wallet new ci-wallet --words 24   # scripts (the variable is visible to this user's processes)")]
    New {
        name: String,
        /// Mnemonic length.
        #[arg(long, default_value_t = 12)]
        words: usize,
        #[arg(long)]
        wallets_dir: Option<PathBuf>,
    },
    /// Add a hotkey to a wallet.
    #[command(after_help = "Example:\n  neuron wallet new-hotkey mywallet --hotkey miner2")]
    NewHotkey {
        name: String,
        #[arg(long, default_value = "default")]
        hotkey: String,
        #[arg(long, default_value_t = 12)]
        words: usize,
        #[arg(long)]
        wallets_dir: Option<PathBuf>,
    },
    /// Recreate a coldkey (or with --hotkey NAME, a hotkey) from its mnemonic, read from the
    /// terminal without echo or from standard input (never from the command line).
    #[command(after_help = "Examples:\n  \
        neuron wallet regen mywallet                      # asks for the mnemonic\n  \
        neuron wallet regen mywallet --hotkey default < hotkey-mnemonic.txt")]
    Regen {
        name: String,
        /// Regenerate this hotkey instead of the coldkey.
        #[arg(long)]
        hotkey: Option<String>,
        #[arg(long)]
        wallets_dir: Option<PathBuf>,
    },
    /// Every wallet with its coldkey and hotkey addresses.
    List {
        #[arg(long)]
        wallets_dir: Option<PathBuf>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// A wallet's addresses with TAO balance, stake and native balance (when the chain is
    /// reachable).
    #[command(after_help = "Example:\n  neuron wallet inspect --wallet mywallet --json")]
    Inspect {
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Import a polkadot.js keystore JSON file as a wallet's coldkey (the password stays the
    /// file's).
    #[command(
        after_help = "Example:\n  neuron wallet import mywallet --file ~/Downloads/5Grw....json"
    )]
    Import {
        name: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        wallets_dir: Option<PathBuf>,
    },
    /// Export a wallet's coldkey as a polkadot.js keystore JSON file (still encrypted).
    #[command(after_help = "Example:\n  neuron wallet export mywallet --out coldkey.json")]
    Export {
        name: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        wallets_dir: Option<PathBuf>,
    },
    /// TAO balance (and the chain's native token, which pays fees) of a wallet or address.
    #[command(
        after_help = "Examples:\n  neuron wallet balance --wallet mywallet\n  neuron wallet balance --address 5Grw... --json"
    )]
    Balance {
        #[command(flatten)]
        keys: KeyArgs,
        #[arg(long)]
        address: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Send TAO from the wallet's coldkey; with --native, send the chain's native token (to
    /// pay a new wallet's fees on a local network).
    #[command(after_help = "Examples:\n  \
        neuron wallet transfer --wallet mywallet --to 5FHn... --amount 12.5\n  \
        neuron wallet transfer --wallet //Alice --to 5FHn... --amount 1000 --native")]
    Transfer {
        #[command(flatten)]
        keys: KeyArgs,
        #[arg(long)]
        to: String,
        /// TAO (or whole native units with --native).
        #[arg(long)]
        amount: String,
        #[arg(long)]
        native: bool,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

fn dir(d: Option<PathBuf>) -> PathBuf {
    d.unwrap_or_else(wallet::default_wallets_dir)
}

/// A mnemonic from the terminal (no echo) or standard input.
fn read_mnemonic() -> Result<String> {
    let phrase = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("mnemonic (not echoed): ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    };
    let phrase = phrase.trim().to_string();
    if phrase.is_empty() {
        bail!("no mnemonic given");
    }
    Ok(phrase)
}

#[derive(Serialize)]
struct WalletView {
    name: String,
    coldkey: AccountId,
    hotkeys: Vec<HotkeyView>,
}

#[derive(Serialize)]
struct HotkeyView {
    name: String,
    address: AccountId,
}

fn view(w: &Wallet) -> Result<WalletView> {
    Ok(WalletView {
        name: w.name.clone(),
        coldkey: w.coldkey_address()?,
        hotkeys: w
            .hotkeys()?
            .into_iter()
            .map(|(name, address)| HotkeyView { name, address })
            .collect(),
    })
}

pub async fn run(cmd: WalletCommand, chain: &ChainArgs) -> Result<()> {
    match cmd {
        WalletCommand::New {
            name,
            words,
            wallets_dir,
        } => {
            let w = Wallet::open(&dir(wallets_dir), &name)?;
            if w.exists() {
                bail!("wallet `{name}` already exists at {}", w.dir.display());
            }
            let cold_phrase = generate_phrase(words)?;
            let password = new_password()?;
            let cold = w.write_coldkey(&ColdSecret::from_phrase(&cold_phrase)?, &password)?;
            let hot_phrase = generate_phrase(words)?;
            let hot = w.write_hotkey("default", &hot_phrase)?;
            println!("wallet `{name}` created in {}", w.dir.display());
            println!("coldkey {cold}\n  mnemonic: {cold_phrase}");
            println!("hotkey `default` {hot}\n  mnemonic: {hot_phrase}");
            println!(
                "Write both mnemonics down now: they are shown once and are the only way to recover the keys."
            );
            Ok(())
        }
        WalletCommand::NewHotkey {
            name,
            hotkey,
            words,
            wallets_dir,
        } => {
            let w = Wallet::open(&dir(wallets_dir), &name)?;
            w.coldkey_address()?;
            let phrase = generate_phrase(words)?;
            let hot = w.write_hotkey(&hotkey, &phrase)?;
            println!("hotkey `{hotkey}` of wallet `{name}`: {hot}\n  mnemonic: {phrase}");
            Ok(())
        }
        WalletCommand::Regen {
            name,
            hotkey,
            wallets_dir,
        } => {
            let w = Wallet::open(&dir(wallets_dir), &name)?;
            let phrase = read_mnemonic()?;
            match hotkey {
                Some(h) => {
                    let a = w.write_hotkey(&h, &phrase)?;
                    println!("hotkey `{h}` of wallet `{name}` restored: {a}");
                }
                None => {
                    let secret = ColdSecret::from_phrase(&phrase)?;
                    let password = new_password()?;
                    let a = w.write_coldkey(&secret, &password)?;
                    println!("coldkey of wallet `{name}` restored: {a}");
                }
            }
            Ok(())
        }
        WalletCommand::List { wallets_dir, json } => {
            let d = dir(wallets_dir);
            let views = wallet::list(&d)?
                .iter()
                .map(view)
                .collect::<Result<Vec<_>>>()?;
            if json {
                return print_json(&views);
            }
            if views.is_empty() {
                println!(
                    "no wallets in {} (create one with `neuron wallet new NAME`)",
                    d.display()
                );
            }
            for v in views {
                println!("{}  coldkey {}", v.name, v.coldkey);
                for h in v.hotkeys {
                    println!("  hotkey {:<16} {}", h.name, h.address);
                }
            }
            Ok(())
        }
        WalletCommand::Inspect { keys, json } => {
            let (coldkey, hotkeys) = if keys.wallet.starts_with("//") || keys.wallet.contains(' ') {
                (keys.coldkey_account()?, Vec::new())
            } else {
                let w = Wallet::open(&keys.wallets_dir(), &keys.wallet)?;
                (w.coldkey_address()?, w.hotkeys()?)
            };
            let c = chain.connect().await?;
            let balance = c.read(&c.token().balance_of(ink_account(coldkey))).await?;
            let staked = c
                .read(&c.staking().stake_of_coldkey(ink_account(coldkey)))
                .await?;
            let native_token = c.rpc.native_token().await?;
            let native = c.rpc.native_balance(coldkey).await?;
            let netuids = c.read(&c.registry().netuids_open()).await?;
            let mut hot_views = Vec::new();
            for (name, a) in &hotkeys {
                let uids = {
                    let mut v = Vec::new();
                    for &(netuid, _) in &netuids {
                        if let Some(uid) = c
                            .read(&c.registry().uid_of(netuid, ink_account(*a)))
                            .await?
                        {
                            v.push((netuid, uid));
                        }
                    }
                    v
                };
                let stake = c
                    .read(&c.staking().stake_of_hotkey(ink_account(*a)))
                    .await?;
                hot_views.push(serde_json::json!({
                    "name": name, "address": a, "stake_rao": stake.to_string(),
                    "registrations": uids.iter().map(|(n, u)| serde_json::json!({"netuid": n, "uid": u})).collect::<Vec<_>>(),
                    "native": c.rpc.native_balance(*a).await?.to_string(),
                }));
            }
            let out = serde_json::json!({
                "wallet": keys.wallet, "coldkey": coldkey,
                "balance_rao": balance.to_string(), "staked_rao": staked.to_string(),
                "native": native.to_string(), "hotkeys": hot_views,
            });
            if json {
                return print_json(&out);
            }
            println!("wallet {}  coldkey {coldkey}", keys.wallet);
            println!(
                "  free {}   staked {}   native {}",
                format_tao(balance),
                format_tao(staked),
                native_token.format(native)
            );
            for h in hot_views {
                println!(
                    "  hotkey {:<12} {}  stake {}  native {}  registered {}",
                    h["name"].as_str().unwrap_or(""),
                    h["address"].as_str().unwrap_or(""),
                    format_tao(h["stake_rao"].as_str().unwrap_or("0").parse().unwrap_or(0)),
                    native_token.format(h["native"].as_str().unwrap_or("0").parse().unwrap_or(0)),
                    h["registrations"]
                );
            }
            Ok(())
        }
        WalletCommand::Import {
            name,
            file,
            wallets_dir,
        } => {
            let w = Wallet::open(&dir(wallets_dir), &name)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let ks = KeystoreJson::parse(&text)?;
            let password = wallet::read_password(&format!(
                "password of {} (as set in polkadot.js): ",
                ks.address
            ))?;
            ks.decrypt(&password)?;
            let a = w.store_coldkey(&ks)?;
            println!("imported {a} as the coldkey of wallet `{name}` (same password as the file)");
            Ok(())
        }
        WalletCommand::Export {
            name,
            out,
            wallets_dir,
        } => {
            let w = Wallet::open(&dir(wallets_dir), &name)?;
            let ks = w.keystore()?;
            crate::fsutil::write_secret(&out, serde_json::to_string_pretty(&ks)?.as_bytes())?;
            println!(
                "wrote {} (polkadot.js keystore JSON, encrypted with the wallet's password)",
                out.display()
            );
            Ok(())
        }
        WalletCommand::Balance {
            keys,
            address,
            json,
        } => {
            let who = match address {
                Some(a) => parse_account(&a, "--address")?,
                None => keys.coldkey_account()?,
            };
            let c = chain.connect().await?;
            let free = c.read(&c.token().balance_of(ink_account(who))).await?;
            let staked = c
                .read(&c.staking().stake_of_coldkey(ink_account(who)))
                .await?;
            let native_token = c.rpc.native_token().await?;
            let native = c.rpc.native_balance(who).await?;
            if json {
                return print_json(&serde_json::json!({
                    "address": who, "free_rao": free.to_string(), "staked_rao": staked.to_string(),
                    "native": native.to_string(), "native_symbol": native_token.symbol,
                }));
            }
            println!(
                "{who}\n  free   {}\n  staked {}\n  native {} (pays fees and storage deposits)",
                format_tao(free),
                format_tao(staked),
                native_token.format(native)
            );
            Ok(())
        }
        WalletCommand::Transfer {
            keys,
            to,
            amount,
            native,
            json,
        } => {
            let to = parse_account(&to, "--to")?;
            let c = chain.connect().await?;
            let from = keys.coldkey()?;
            if native {
                let token = c.rpc.native_token().await?;
                let units: u128 = amount.trim().parse().with_context(|| {
                    format!(
                        "--amount {amount} is not a whole number of {}",
                        token.symbol
                    )
                })?;
                let block = c
                    .rpc
                    .native_transfer(from.pair(), to, units.saturating_mul(token.unit()))
                    .await?;
                if json {
                    return print_json(&serde_json::json!({ "block": block }));
                }
                println!("sent {units} {} to {to} (block {block})", token.symbol);
                return Ok(());
            }
            let amount = parse_tao(&amount)?;
            let inc = submit(
                &format!("transfer {} to {to}", format_tao(amount)),
                json,
                c.send(
                    "the transfer",
                    from.pair(),
                    &c.token().transfer(ink_account(to), amount, Vec::new()),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, amount.to_string()));
            }
            println!("sent {} to {to}", format_tao(amount));
            Ok(())
        }
    }
}
