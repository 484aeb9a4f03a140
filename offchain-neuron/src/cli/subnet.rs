//! `neuron subnet`: list, show, hyperparameters, create, set, dissolve, lock cost, and
//! registration by burn or proof of work.

use anyhow::Result;
use bt_interfaces::{RegistryView, SubnetHooks};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::common::{ChainArgs, KeyArgs, WriteReport, print_json, submit};
use super::hyperparams;
use crate::chain::registration::{Admission, ensure_consent, register};
use crate::chain::{Chain, ink_account, no_subnet, wire_account};
use crate::units::{format_tao, parse_tao};
use crate::wire::AccountId;

#[derive(Subcommand, Debug)]
pub enum SubnetCommand {
    /// Every subnet: size, owner, tempo, registration price and emission share.
    #[command(after_help = "Examples:\n  neuron subnet list\n  neuron subnet list --json")]
    List {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// One subnet: owner, lock, size, registration state, pending emission, next epoch.
    #[command(after_help = "Example:\n  neuron subnet show 1")]
    Show {
        netuid: u16,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// A subnet's hyperparameters.
    #[command(after_help = "Example:\n  neuron subnet hyperparams 1 --json")]
    Hyperparams {
        netuid: u16,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Change one hyperparameter (subnet owner's coldkey): reads the record, changes the field,
    /// writes it back. Balances (min_burn, max_burn) are in TAO.
    #[command(after_help = "Examples:\n  \
        neuron subnet set 1 tempo 100 --wallet owner\n  \
        neuron subnet set 1 commit_reveal_enabled true --wallet owner\n  \
        neuron subnet set 1 min_burn 0.5 --wallet owner")]
    Set {
        netuid: u16,
        param: String,
        value: String,
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// What creating a subnet costs now (the lock, returned on dissolution after immunity).
    LockCost {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Create a subnet: locks the lock cost from the coldkey; --hotkey becomes the owner's
    /// hotkey (UID 0).
    #[command(
        after_help = "Example:\n  neuron subnet create --wallet owner --hotkey default --max-lock 1000"
    )]
    Create {
        #[command(flatten)]
        keys: KeyArgs,
        /// Refuse if the lock costs more than this many TAO (default: the current cost).
        #[arg(long)]
        max_lock: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Dissolve a subnet you own (the lock returns after its immunity period; within it the
    /// lock is forfeit).
    Dissolve {
        netuid: u16,
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Register a hotkey on a subnet by burning TAO (--burn) or by proof of work (--pow).
    #[command(after_help = "Examples:\n  \
        neuron subnet register --netuid 1 --burn --max-price 2 --wallet miner --hotkey default\n  \
        neuron subnet register --netuid 1 --pow --threads 2 --wallet miner --hotkey default\n\n\
        The hotkey first consents to the coldkey (`offer_hotkey`, signed by the hotkey; the \
        hotkey pays that small fee in the chain's native token and is topped up from the \
        coldkey when it has none).")]
    Register(RegisterArgs),
}

#[derive(Args, Debug)]
pub struct RegisterArgs {
    #[arg(long)]
    pub netuid: u16,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Register by burning the current price in TAO.
    #[arg(long, conflicts_with = "pow", required_unless_present = "pow")]
    pub burn: bool,
    /// Register by solving a proof of work (free, costs CPU time).
    #[arg(long)]
    pub pow: bool,
    /// Most TAO to burn (default: the current price).
    #[arg(long)]
    pub max_price: Option<String>,
    /// Solver threads for --pow (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(cmd: SubnetCommand, chain: &ChainArgs) -> Result<()> {
    let c = chain.connect().await?;
    match cmd {
        SubnetCommand::List { json } => list(&c, json).await,
        SubnetCommand::Show { netuid, json } => show(&c, netuid, json).await,
        SubnetCommand::Hyperparams { netuid, json } => {
            let h = c
                .read(&c.registry().hyperparams(netuid))
                .await?
                .ok_or_else(|| no_subnet(netuid))?;
            let rows = hyperparams::table(&h);
            if json {
                let map: serde_json::Map<String, serde_json::Value> = rows
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                    .collect();
                return print_json(&map);
            }
            for (k, v) in rows {
                println!("{k:<26} {v}");
            }
            Ok(())
        }
        SubnetCommand::Set {
            netuid,
            param,
            value,
            keys,
            json,
        } => {
            let field = hyperparams::by_name(&param)?;
            let mut h = c
                .read(&c.registry().hyperparams(netuid))
                .await?
                .ok_or_else(|| no_subnet(netuid))?;
            let before = hyperparams::get(&h, field);
            hyperparams::set(&mut h, field, &value)?;
            let after = hyperparams::get(&h, field);
            let owner = keys.coldkey()?;
            let inc = submit(
                &format!("set {param} on subnet {netuid}"),
                json,
                c.send(
                    &format!("setting {param}"),
                    owner.pair(),
                    &c.registry().set_hyperparams(netuid, h),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(
                    &inc,
                    serde_json::json!({"param": param, "before": before, "after": after}),
                ));
            }
            println!("subnet {netuid}: {param} {before} -> {after}");
            Ok(())
        }
        SubnetCommand::LockCost { json } => {
            let cost = c.read(&c.registry().lock_cost()).await?;
            if json {
                return print_json(&serde_json::json!({ "lock_cost_rao": cost.to_string() }));
            }
            println!("creating a subnet locks {} now", format_tao(cost));
            Ok(())
        }
        SubnetCommand::Create {
            keys,
            max_lock,
            json,
        } => {
            let coldkey = keys.coldkey()?;
            let hotkey = keys.hotkey()?;
            let cost = c.read(&c.registry().lock_cost()).await?;
            let max = max_lock
                .as_deref()
                .map(parse_tao)
                .transpose()?
                .unwrap_or(cost);
            ensure_consent(&c, &coldkey, &hotkey, json).await?;
            let inc = submit(
                "create subnet",
                json,
                c.send(
                    "creating the subnet",
                    coldkey.pair(),
                    &c.registry()
                        .create_subnet(ink_account(hotkey.account()), max),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, inc.value));
            }
            println!(
                "created subnet {} (owner hotkey {} is UID 0)",
                inc.value,
                hotkey.account()
            );
            Ok(())
        }
        SubnetCommand::Dissolve { netuid, keys, json } => {
            let owner = keys.coldkey()?;
            let inc = submit(
                &format!("dissolve subnet {netuid}"),
                json,
                c.send(
                    "dissolving the subnet",
                    owner.pair(),
                    &c.registry().dissolve_subnet(netuid),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, inc.value.to_string()));
            }
            println!(
                "subnet {netuid} dissolved; {} returned",
                format_tao(inc.value)
            );
            Ok(())
        }
        SubnetCommand::Register(a) => {
            let admission = if a.pow {
                Admission::Pow {
                    threads: a.threads.unwrap_or_else(|| {
                        std::thread::available_parallelism().map_or(1, |n| n.get())
                    }),
                }
            } else {
                Admission::Burn {
                    max_price: a.max_price.as_deref().map(parse_tao).transpose()?,
                }
            };
            let coldkey = a.keys.coldkey()?;
            let hotkey = a.keys.hotkey()?;
            let uid = register(&c, &coldkey, &hotkey, a.netuid, admission, a.json).await?;
            if a.json {
                return print_json(
                    &serde_json::json!({ "netuid": a.netuid, "uid": uid, "hotkey": hotkey.account() }),
                );
            }
            println!("{} is UID {uid} on subnet {}", hotkey.account(), a.netuid);
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct SubnetRow {
    netuid: u16,
    n: u16,
    max_uids: u16,
    owner: AccountId,
    tempo: u16,
    burn_rao: String,
    difficulty: u64,
    registration_open: bool,
    emission_share: f64,
}

async fn list(c: &Chain, json: bool) -> Result<()> {
    let open = c.read(&c.registry().netuids_open()).await?;
    let netuids: Vec<u16> = open.iter().map(|(n, _)| *n).collect();
    let shares = c.read(&c.ledger().emission_shares(netuids.clone())).await?;
    let total: u128 = shares.iter().sum();
    let mut rows = Vec::new();
    for ((netuid, open), share) in open
        .into_iter()
        .zip(shares.into_iter().chain(std::iter::repeat(0)))
    {
        let Some(s) = c.read(&c.registry().subnet(netuid)).await? else {
            continue;
        };
        let reg = c.read(&c.registry().registration_state(netuid)).await?;
        rows.push(SubnetRow {
            netuid,
            n: s.n,
            max_uids: s.hyperparams.max_allowed_uids,
            owner: wire_account(&s.owner),
            tempo: s.hyperparams.tempo,
            burn_rao: reg.map_or(0, |r| r.burn).to_string(),
            difficulty: reg.map_or(0, |r| r.difficulty),
            registration_open: open,
            emission_share: if total == 0 {
                0.0
            } else {
                share as f64 / total as f64
            },
        });
    }
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("no subnets yet (create one with `neuron subnet create`)");
        return Ok(());
    }
    println!(
        "{:>6}  {:>9}  {:>6}  {:>16}  {:>12}  {:>5}  {:>8}  owner",
        "netuid", "neurons", "tempo", "burn", "difficulty", "open", "emission"
    );
    for r in rows {
        println!(
            "{:>6}  {:>4}/{:<4}  {:>6}  {:>16}  {:>12}  {:>5}  {:>7.2}%  {}",
            r.netuid,
            r.n,
            r.max_uids,
            r.tempo,
            format_tao(r.burn_rao.parse().unwrap_or(0)),
            r.difficulty,
            if r.registration_open { "yes" } else { "no" },
            r.emission_share * 100.0,
            r.owner.short()
        );
    }
    Ok(())
}

async fn show(c: &Chain, netuid: u16, json: bool) -> Result<()> {
    let s = c
        .read(&c.registry().subnet(netuid))
        .await?
        .ok_or_else(|| no_subnet(netuid))?;
    let reg = c.read(&c.registry().registration_state(netuid)).await?;
    let pending = c
        .read(&c.ledger().pending_emission(netuid))
        .await?
        .unwrap_or(0);
    let next = c
        .read(&c.ledger().blocks_until_next_epoch(netuid))
        .await?
        .unwrap_or(0);
    let view = serde_json::json!({
        "netuid": netuid,
        "owner": wire_account(&s.owner),
        "owner_hotkey": wire_account(&s.owner_hotkey),
        "created_at": s.created_at,
        "n": s.n,
        "max_allowed_uids": s.hyperparams.max_allowed_uids,
        "locked_rao": s.locked.to_string(),
        "tempo": s.hyperparams.tempo,
        "burn_rao": reg.map(|r| r.burn.to_string()),
        "difficulty": reg.map(|r| r.difficulty),
        "registrations": reg.map(|r| r.registrations),
        "pending_emission_rao": pending.to_string(),
        "blocks_until_next_epoch": next,
    });
    if json {
        return print_json(&view);
    }
    println!("subnet {netuid}");
    println!("  owner            {}", wire_account(&s.owner));
    println!("  owner hotkey     {}", wire_account(&s.owner_hotkey));
    println!("  created at block {}", s.created_at);
    println!(
        "  neurons          {}/{}",
        s.n, s.hyperparams.max_allowed_uids
    );
    println!("  locked           {}", format_tao(s.locked));
    println!(
        "  tempo            {} blocks (next epoch in {next})",
        s.hyperparams.tempo
    );
    if let Some(r) = reg {
        println!("  burn price       {}", format_tao(r.burn));
        println!("  pow difficulty   {}", r.difficulty);
        println!("  registrations    {}", r.registrations);
    }
    println!("  pending emission {}", format_tao(pending));
    Ok(())
}
