//! Getting a UID: the hotkey's consent to the coldkey (funded for its fee when it holds
//! nothing), then registration by burn or by proof of work.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use bt_interfaces::{RegistryView, StakingProtocol};

use super::{CallError, Chain, Included, ink_account, no_subnet, wire_account};
use crate::units::format_tao;
use crate::wire::{AccountId, Hotkey};

/// Sends a write and, unless quiet, says where it landed and what it emitted.
async fn sent<T>(
    what: &str,
    quiet: bool,
    write: impl std::future::Future<Output = Result<Included<T>, CallError>>,
) -> Result<Included<T>> {
    let inc = write.await?;
    if !quiet {
        inc.report(what);
    }
    Ok(inc)
}

/// How to get a UID.
#[derive(Debug, Clone, Copy)]
pub enum Admission {
    Burn { max_price: Option<u128> },
    Pow { threads: usize },
}

/// Makes sure `hotkey` can pay fees: below 10 units of the native token it is topped up to
/// 100 from `coldkey` (a hotkey's consent, axon and weights are its own extrinsics).
pub async fn ensure_hotkey_funds(
    c: &Chain,
    coldkey: &Hotkey,
    hotkey: &Hotkey,
    quiet: bool,
) -> Result<()> {
    if coldkey.account() == hotkey.account() {
        return Ok(());
    }
    let native = c.rpc.native_token().await?;
    let (below, target) = (
        native.unit().saturating_mul(10),
        native.unit().saturating_mul(100),
    );
    let sent = c
        .rpc
        .top_up_native(coldkey.pair(), hotkey.account(), below, target)
        .await?;
    if let (Some((had, amount)), false) = (sent, quiet) {
        eprintln!(
            "hotkey {} held {} of the chain's native token; sent it {} from the coldkey for its fees",
            hotkey.account(),
            native.format(had),
            native.format(amount)
        );
    }
    Ok(())
}

/// The hotkey's consent to the coldkey (`offer_hotkey`), unless it is already owned by it,
/// already offered, or is the coldkey itself.
pub async fn ensure_consent(
    c: &Chain,
    coldkey: &Hotkey,
    hotkey: &Hotkey,
    quiet: bool,
) -> Result<()> {
    let hot = ink_account(hotkey.account());
    if hotkey.account() == coldkey.account() {
        return Ok(());
    }
    match c.read(&c.staking().owner_of(hot)).await? {
        Some(owner) if wire_account(&owner) == coldkey.account() => return Ok(()),
        Some(owner) => bail!(
            "hotkey {} already belongs to coldkey {}; use a hotkey of your own (`neuron wallet new-hotkey`)",
            hotkey.account(),
            wire_account(&owner)
        ),
        None => {}
    }
    if c.read(&c.staking().offer_of(hot)).await? == Some(ink_account(coldkey.account())) {
        return Ok(());
    }
    ensure_hotkey_funds(c, coldkey, hotkey, quiet).await?;
    sent(
        "hotkey consents to the coldkey",
        quiet,
        c.send(
            "the hotkey's consent",
            hotkey.pair(),
            &c.staking().offer_hotkey(ink_account(coldkey.account())),
        ),
    )
    .await?;
    Ok(())
}

/// Registers `hotkey` on `netuid` for `coldkey` (the consent first); returns its UID. A hotkey
/// already registered returns its UID without a transaction.
pub async fn register(
    c: &Chain,
    coldkey: &Hotkey,
    hotkey: &Hotkey,
    netuid: u16,
    how: Admission,
    quiet: bool,
) -> Result<u16> {
    let hot = ink_account(hotkey.account());
    if let Some(uid) = c.read(&c.registry().uid_of(netuid, hot)).await? {
        if !quiet {
            eprintln!(
                "{} is already UID {uid} on subnet {netuid}",
                hotkey.account()
            );
        }
        return Ok(uid);
    }
    ensure_consent(c, coldkey, hotkey, quiet).await?;
    match how {
        Admission::Burn { max_price } => {
            let state = c
                .read(&c.registry().registration_state(netuid))
                .await?
                .ok_or_else(|| no_subnet(netuid))?;
            let max = max_price.unwrap_or(state.burn);
            if !quiet {
                eprintln!(
                    "registering by burn: price now {}, at most {}",
                    format_tao(state.burn),
                    format_tao(max)
                );
            }
            let inc = sent(
                &format!("burned registration on subnet {netuid}"),
                quiet,
                c.send(
                    "registration",
                    coldkey.pair(),
                    &c.registry().burned_register(netuid, hot, max),
                ),
            )
            .await?;
            Ok(inc.value)
        }
        Admission::Pow { threads } => {
            pow_register(c, coldkey, hotkey, netuid, threads, quiet).await
        }
    }
}

async fn pow_register(
    c: &Chain,
    coldkey: &Hotkey,
    hotkey: &Hotkey,
    netuid: u16,
    threads: usize,
    quiet: bool,
) -> Result<u16> {
    let hot = ink_account(hotkey.account());
    let mut reverted = 0;
    loop {
        let block = c.block().await?;
        let state = c
            .read(&c.registry().registration_state(netuid))
            .await?
            .ok_or_else(|| no_subnet(netuid))?;
        let seed = c
            .read(&c.registry().pow_seed(netuid, block))
            .await?
            .ok_or_else(|| no_subnet(netuid))?;
        let difficulty = state.difficulty;
        let bar = if quiet {
            indicatif::ProgressBar::hidden()
        } else {
            crate::progress::spinner(&format!(
                "proof of work at difficulty {difficulty} on {threads} threads"
            ))
        };
        let (hk, ck) = (hotkey.account(), coldkey.account());
        let bar2 = bar.clone();
        let started = std::time::Instant::now();
        // Work is valid for 3 blocks; re-read the seed every few seconds of solving.
        let work = tokio::task::spawn_blocking(move || {
            let stop = AtomicBool::new(false);
            crate::pow::solve(&seed, hk, ck, difficulty, threads, Duration::from_secs(8), &stop, &|h| {
                let rate = h as f64 / started.elapsed().as_secs_f64().max(1e-3);
                let eta = crate::pow::expected_hashes(difficulty) as f64 / rate.max(1.0);
                bar2.set_message(format!(
                    "proof of work at difficulty {difficulty}: {h} hashes, {rate:.0} H/s, expected ~{eta:.0} s"
                ));
            })
        })
        .await?;
        bar.finish_and_clear();
        let hashes = work.hashes;
        let Some(work) = work.work else {
            continue;
        };
        let sent = c
            .send(
                "registration",
                coldkey.pair(),
                &c.registry()
                    .pow_register(netuid, hot, block, work.nonce, work.seal),
            )
            .await;
        match sent {
            Ok(inc) => {
                if !quiet {
                    inc.report(&format!("proof of work ({hashes} hashes)"));
                }
                return Ok(inc.value);
            }
            Err(CallError::Refused { refusal, code, .. })
                if ["StaleWork", "InvalidSeal", "WorkAlreadyUsed"].contains(&code.as_str()) =>
            {
                if !quiet {
                    eprintln!("work went stale ({}); solving again", refusal.reason);
                }
            }
            // Another registration landed between the dry run and this one (the seed moved
            // on): the work is stale; solve again.
            Err(CallError::Failed { reason, .. })
                if reason.contains("ContractReverted") && reverted < 5 =>
            {
                reverted += 1;
                if !quiet {
                    eprintln!(
                        "the registration reverted in its block (the seed changed?); solving again"
                    );
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The hotkey's UID, or a refusal that says how to register.
pub async fn require_uid(
    c: &Chain,
    netuid: u16,
    hotkey: AccountId,
    wallet_hint: &str,
) -> Result<u16> {
    c.read(&c.registry().uid_of(netuid, ink_account(hotkey)))
        .await?
        .ok_or_else(|| {
            anyhow!(
                "hotkey {hotkey} is not registered on subnet {netuid}: run `neuron subnet register --netuid {netuid} --burn {wallet_hint}` (or --pow), or pass --register burn|pow"
            )
        })
}
