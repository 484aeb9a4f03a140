//! Following a running local network: a status line between epochs, the metagraph with the TAO
//! each neuron earned after every epoch, and the summary at the end.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde::Serialize;

use super::children::Children;
use super::setup::Net;
use super::{LocalnetConfig, NETUID};
use bt_interfaces::PSP22;

use crate::chain::{ink_account, wire_account};
use crate::units::{format_tao, u16_share};
use crate::wire::AccountId;

/// One neuron's result.
#[derive(Debug, Clone, Serialize)]
pub struct MemberResult {
    pub name: String,
    pub role: String,
    pub hotkey: AccountId,
    pub uid: Option<u16>,
    pub accuracy: Option<f64>,
    pub incentive: f64,
    pub dividends: f64,
    pub validator_trust: f64,
    /// TAO earned since the run started, in RAO.
    pub earned_rao: String,
    /// Share of everything the localnet's neurons earned.
    pub earned_share: f64,
}

/// What a run produced (printed at the end; `--json` writes it).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub epochs: u64,
    pub first_block: u32,
    pub last_block: u32,
    pub seconds: f64,
    /// Seconds from the start of the run to its first epoch.
    pub seconds_to_first_epoch: Option<f64>,
    pub neurons: Vec<MemberResult>,
    /// All TAO in existence at the end (RAO): emission only, unless a premine was minted.
    pub total_issuance_rao: String,
    /// The subnet owner's (//Alice's) stake on the validators at the end: in a fair launch,
    /// what it nominated grown by dividends (RAO).
    pub owner_nominated_rao: String,
    /// What the subnet owner staked on the validators during the run (RAO).
    pub owner_staked_rao: String,
    /// Times the node died and was started again on its database.
    pub node_restarts: u32,
}

/// A node that dies this many times in one run is not restarted again.
const MAX_NODE_RESTARTS: u32 = 3;

async fn snapshot(net: &Net) -> Result<(u32, Vec<MemberResult>)> {
    let c = &net.chain;
    let m = c.metagraph(NETUID).await?;
    let mut out = Vec::new();
    let mut total: u128 = 0;
    let mut earned = Vec::new();
    for mem in &net.members {
        let stake = c
            .read(&c.staking().stake_of_hotkey(ink_account(mem.hotkey)))
            .await?;
        let e = stake.saturating_sub(mem.baseline);
        total = total.saturating_add(e);
        earned.push(e);
    }
    for (mem, e) in net.members.iter().zip(earned) {
        let entry = m
            .neurons
            .iter()
            .find(|n| wire_account(&n.hotkey) == mem.hotkey);
        out.push(MemberResult {
            name: mem.name.clone(),
            role: mem.role.to_string(),
            hotkey: mem.hotkey,
            uid: entry.map(|n| n.uid),
            accuracy: mem.accuracy,
            incentive: entry.map_or(0.0, |n| u16_share(n.incentive)),
            dividends: entry.map_or(0.0, |n| u16_share(n.dividends)),
            validator_trust: entry.map_or(0.0, |n| u16_share(n.validator_trust)),
            earned_rao: e.to_string(),
            earned_share: if total == 0 {
                0.0
            } else {
                e as f64 / total as f64
            },
        });
    }
    Ok((m.block, out))
}

fn print_table(epoch: u64, block: u32, rows: &[MemberResult]) {
    println!("\nepoch {epoch} (block {block})");
    println!(
        "  {:<11} {:<9} {:>4} {:>9} {:>9} {:>9} {:>7} {:>18} {:>7}",
        "neuron",
        "role",
        "uid",
        "accuracy",
        "incentive",
        "dividends",
        "vtrust",
        "TAO earned",
        "share"
    );
    for r in rows {
        println!(
            "  {:<11} {:<9} {:>4} {:>9} {:>9.4} {:>9.4} {:>7.4} {:>18} {:>6.1}%",
            r.name,
            r.role,
            r.uid.map_or("-".into(), |u| u.to_string()),
            r.accuracy
                .map_or("-".into(), |a| format!("{:.1}%", a * 100.0)),
            r.incentive,
            r.dividends,
            r.validator_trust,
            format_tao(r.earned_rao.parse().unwrap_or(0)),
            r.earned_share * 100.0
        );
    }
}

/// Prints the network's progress until `cfg.tempos` epochs ran, a child died, or `stop`.
pub async fn follow(
    cfg: &LocalnetConfig,
    net: &Net,
    children: &mut Children,
    stop: &AtomicBool,
) -> Result<Summary> {
    let c = &net.chain;
    let started = Instant::now();
    let first_block = c.block().await?;
    let last_epoch =
        |s: Option<consensus_ledger::state::SubnetLedger>| s.map_or(0, |s| s.last_epoch);
    let mut seen = last_epoch(c.read(&c.ledger().subnet_state(NETUID)).await?);
    let mut epochs = 0u64;
    let mut first_epoch_at = None;
    let mut last = (first_block, Vec::new());
    let mut node_restarts = 0;
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        while let Some((name, status, log)) = children.exited() {
            if name == "node" {
                if node_restarts >= MAX_NODE_RESTARTS {
                    bail!(
                        "the node exited ({status}) for the {}th time; see {}",
                        node_restarts + 1,
                        log.display()
                    );
                }
                node_restarts += 1;
                eprintln!(
                    "\nthe node exited ({status}); starting it again on its database (log: {})",
                    log.display()
                );
                children.restart("node")?;
                super::setup::wait_for_rpc(cfg).await?;
                children.write_list(&cfg.dir)?;
                eprintln!("node restarted; the neurons reconnect on their own");
                continue;
            }
            eprintln!(
                "\n{name} exited ({status}); its UID stops earning as validators stop reaching it (log: {})",
                log.display()
            );
        }
        let state = match c.read(&c.ledger().subnet_state(NETUID)).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("cannot read the subnet's state: {e:#}");
                continue;
            }
        };
        let block = c.block().await.unwrap_or(0);
        let now = last_epoch(state);
        if now == seen {
            let left = c
                .read(&c.ledger().blocks_until_next_epoch(NETUID))
                .await
                .ok()
                .and_then(|r| r.ok());
            eprint!(
                "\r  block {block}, next epoch in {} blocks, {} epochs so far, {:.0} s   ",
                left.map_or("?".into(), |l| l.to_string()),
                epochs,
                started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
            continue;
        }
        seen = now;
        epochs += 1;
        first_epoch_at.get_or_insert(started.elapsed().as_secs_f64());
        eprintln!();
        match snapshot(net).await {
            Ok(now) => last = now,
            Err(e) => tracing::warn!("cannot read the metagraph after epoch {epochs}: {e:#}"),
        }
        print_table(epochs, last.0, &last.1);
        if cfg.tempos.is_some_and(|t| epochs >= t) {
            break;
        }
    }
    if last.1.is_empty() {
        last = snapshot(net).await?;
    }
    let issuance = c.read(&c.token().total_supply()).await?;
    let owner = ink_account(crate::wire::Hotkey::from_uri(super::ADMIN_URI)?.account());
    let mut nominated: u128 = 0;
    for v in net.validator_hotkeys() {
        nominated =
            nominated.saturating_add(c.read(&c.staking().stake_of(ink_account(v), owner)).await?);
    }
    let summary = Summary {
        epochs,
        first_block,
        last_block: last.0,
        seconds: started.elapsed().as_secs_f64(),
        seconds_to_first_epoch: first_epoch_at,
        neurons: last.1,
        total_issuance_rao: issuance.to_string(),
        owner_nominated_rao: nominated.to_string(),
        owner_staked_rao: net.owner_staked.load(Ordering::Relaxed).to_string(),
        node_restarts,
    };
    print_summary(&summary);
    Ok(summary)
}

fn print_summary(s: &Summary) {
    println!(
        "\nsummary: {} epochs, blocks {}..{}, {:.0} s; {} in existence",
        s.epochs,
        s.first_block,
        s.last_block,
        s.seconds,
        format_tao(s.total_issuance_rao.parse().unwrap_or(0))
    );
    if s.node_restarts > 0 {
        println!(
            "  the node was restarted {} time(s) on its database",
            s.node_restarts
        );
    }
    let nominated: u128 = s.owner_nominated_rao.parse().unwrap_or(0);
    if nominated > 0 {
        println!(
            "  the subnet owner's nominations are worth {}",
            format_tao(nominated)
        );
    }
    let mut miners: Vec<&MemberResult> = s.neurons.iter().filter(|n| n.role == "miner").collect();
    miners.sort_by(|a, b| {
        b.accuracy
            .partial_cmp(&a.accuracy)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for m in miners {
        println!(
            "  miner {:<8} accuracy {:>6.1}%  incentive {:.4}  earned {} ({:.1}% of all earnings)",
            m.name,
            m.accuracy.unwrap_or(0.0) * 100.0,
            m.incentive,
            format_tao(m.earned_rao.parse().unwrap_or(0)),
            m.earned_share * 100.0
        );
    }
    for v in s.neurons.iter().filter(|n| n.role == "validator") {
        println!(
            "  {:<14} dividends {:.4}  vtrust {:.4}  earned {}",
            v.name,
            v.dividends,
            v.validator_trust,
            format_tao(v.earned_rao.parse().unwrap_or(0))
        );
    }
}
