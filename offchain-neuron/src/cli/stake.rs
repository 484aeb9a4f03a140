//! `neuron stake`: add, remove, list positions, delegates, take, consent and claims.

use anyhow::{Result, bail};
use bt_interfaces::RegistryView;
use clap::Subcommand;
use serde::Serialize;

use super::common::{ChainArgs, KeyArgs, WriteReport, parse_account, print_json, submit};
use crate::chain::{Chain, ink_account, wire_account};

use crate::units::{format_tao, parse_tao, u16_share};
use crate::wire::AccountId;

#[derive(Subcommand, Debug)]
pub enum StakeCommand {
    /// Stake TAO from the coldkey on a hotkey (yours, or a delegate's). New stake counts for
    /// consensus and earns from the second stake interval after this one.
    #[command(after_help = "Examples:\n  \
        neuron stake add --wallet me --hotkey default --amount 100\n  \
        neuron stake add --wallet me --hotkey 5F...delegate --amount 10")]
    Add {
        #[command(flatten)]
        keys: KeyArgs,
        /// TAO to stake.
        #[arg(long)]
        amount: String,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Unstake TAO back to the coldkey (matured stake only).
    #[command(after_help = "Examples:\n  \
        neuron stake remove --wallet me --hotkey default --amount 50\n  \
        neuron stake remove --wallet me --hotkey default --all")]
    Remove {
        #[command(flatten)]
        keys: KeyArgs,
        /// TAO to unstake.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        amount: Option<String>,
        /// Unstake the whole matured position.
        #[arg(long)]
        all: bool,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Every position of a coldkey with its value (all of it, and the part still maturing).
    #[command(
        after_help = "Examples:\n  neuron stake list --wallet me\n  neuron stake list --address 5F... --json"
    )]
    List {
        #[command(flatten)]
        keys: KeyArgs,
        /// Any coldkey's address instead of the wallet's.
        #[arg(long)]
        address: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Hotkeys registered on any subnet with their owner, take, total stake and the share
    /// nominators hold.
    #[command(after_help = "Example:\n  neuron stake delegates --json")]
    Delegates {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Set the owner's take on a hotkey, in percent (at most 18; increases are rate-limited).
    #[command(after_help = "Example:\n  neuron stake take --wallet me --hotkey default --take 9")]
    Take {
        #[command(flatten)]
        keys: KeyArgs,
        /// New take in percent.
        #[arg(long)]
        take: f64,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// The hotkey consents to be owned by the wallet's coldkey (signed by the hotkey).
    Offer {
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// The coldkey takes ownership of a hotkey that offered itself (no subnet needed).
    Claim {
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// The staking parameters (minimum stake, default take, stake interval).
    Params {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct PositionRow {
    hotkey: AccountId,
    stake_rao: String,
    maturing_rao: String,
}

#[derive(Serialize)]
struct DelegateRow {
    hotkey: AccountId,
    owner: AccountId,
    take_percent: f64,
    total_stake_rao: String,
    nominators_share: f64,
    maturing_rao: String,
}

pub async fn run(cmd: StakeCommand, chain: &ChainArgs) -> Result<()> {
    let c = chain.connect().await?;
    match cmd {
        StakeCommand::Add { keys, amount, json } => {
            let amount = parse_tao(&amount)?;
            let hotkey = keys.hotkey_account()?;
            let coldkey = keys.coldkey()?;
            let inc = submit(
                &format!("stake {} on {hotkey}", format_tao(amount)),
                json,
                c.send(
                    "staking",
                    coldkey.pair(),
                    &c.staking().add_stake(ink_account(hotkey), amount),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, amount.to_string()));
            }
            println!("staked {} on {hotkey}", format_tao(amount));
            Ok(())
        }
        StakeCommand::Remove {
            keys,
            amount,
            all,
            json,
        } => {
            let hotkey = keys.hotkey_account()?;
            let coldkey = keys.coldkey()?;
            let amount = if all {
                let held = c
                    .read(
                        &c.staking()
                            .stake_of(ink_account(hotkey), ink_account(coldkey.account())),
                    )
                    .await?;
                if held == 0 {
                    bail!(
                        "no matured stake of {} on {hotkey} to remove (see `neuron stake list`)",
                        coldkey.account()
                    );
                }
                held
            } else {
                parse_tao(amount.as_deref().unwrap_or("0"))?
            };
            let inc = submit(
                &format!("unstake {} from {hotkey}", format_tao(amount)),
                json,
                c.send(
                    "unstaking",
                    coldkey.pair(),
                    &c.staking().remove_stake(ink_account(hotkey), amount),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, inc.value.to_string()));
            }
            println!(
                "unstaked {} from {hotkey} to the coldkey",
                format_tao(inc.value)
            );
            Ok(())
        }
        StakeCommand::List {
            keys,
            address,
            json,
        } => {
            let coldkey = match address {
                Some(a) => parse_account(&a, "--address")?,
                None => keys.coldkey_account()?,
            };
            let positions = c
                .read(&c.staking().positions_of(ink_account(coldkey)))
                .await?;
            let rows: Vec<PositionRow> = positions
                .iter()
                .map(|p| PositionRow {
                    hotkey: wire_account(&p.hotkey),
                    stake_rao: p.stake.to_string(),
                    maturing_rao: p.maturing.to_string(),
                })
                .collect();
            if json {
                return print_json(&rows);
            }
            if positions.is_empty() {
                println!("{coldkey} has no stake");
                return Ok(());
            }
            println!(
                "{:<48}  {:>20}  {:>20}",
                "hotkey", "stake", "of which maturing"
            );
            let (mut total, mut maturing) = (0u128, 0u128);
            for p in &positions {
                total = total.saturating_add(p.stake);
                maturing = maturing.saturating_add(p.maturing);
                println!(
                    "{:<48}  {:>20}  {:>20}",
                    wire_account(&p.hotkey),
                    format_tao(p.stake),
                    format_tao(p.maturing)
                );
            }
            println!(
                "{:<48}  {:>20}  {:>20}",
                "total",
                format_tao(total),
                format_tao(maturing)
            );
            Ok(())
        }
        StakeCommand::Delegates { json } => delegates(&c, json).await,
        StakeCommand::Take { keys, take, json } => {
            if !(0.0..=18.0).contains(&take) {
                bail!("--take is a percentage between 0 and 18");
            }
            let hotkey = keys.hotkey_account()?;
            let coldkey = keys.coldkey()?;
            let new = (take / 100.0 * f64::from(u16::MAX)).round() as u16;
            let current = c.read(&c.staking().take_of(ink_account(hotkey))).await?;
            let msg = match current {
                Some(cur) if new < cur => c.staking().decrease_take(ink_account(hotkey), new),
                _ => c.staking().increase_take(ink_account(hotkey), new),
            };
            let inc = submit(
                &format!("set take of {hotkey}"),
                json,
                c.send("changing the take", coldkey.pair(), &msg),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, take));
            }
            println!("take of {hotkey} is now {take}%");
            Ok(())
        }
        StakeCommand::Offer { keys, json } => {
            let hotkey = keys.hotkey()?;
            let coldkey = keys.coldkey_account()?;
            let inc = submit(
                "hotkey consents to the coldkey",
                json,
                c.send(
                    "the hotkey's consent",
                    hotkey.pair(),
                    &c.staking().offer_hotkey(ink_account(coldkey)),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, ()));
            }
            println!("hotkey {} consents to coldkey {coldkey}", hotkey.account());
            Ok(())
        }
        StakeCommand::Claim { keys, json } => {
            let hotkey = keys.hotkey_account()?;
            let coldkey = keys.coldkey()?;
            let inc = submit(
                "claim hotkey",
                json,
                c.send(
                    "claiming the hotkey",
                    coldkey.pair(),
                    &c.staking().claim_hotkey(ink_account(hotkey)),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, ()));
            }
            println!("hotkey {hotkey} now belongs to {}", coldkey.account());
            Ok(())
        }
        StakeCommand::Params { json } => {
            let p = c.read(&c.staking().params()).await?;
            let view = serde_json::json!({
                "min_stake_rao": p.min_stake.to_string(),
                "default_take_percent": u16_share(p.default_take) * 100.0,
                "take_rate_limit_blocks": p.take_rate_limit,
                "stake_interval_blocks": p.stake_interval,
                "moves_per_interval": p.moves_per_interval,
            });
            if json {
                return print_json(&view);
            }
            println!("minimum stake         {}", format_tao(p.min_stake));
            println!(
                "default take          {:.2}%",
                u16_share(p.default_take) * 100.0
            );
            println!("take increase limit   one per {} blocks", p.take_rate_limit);
            println!(
                "stake interval        {} blocks (new stake counts from the second interval after it is added)",
                p.stake_interval
            );
            println!(
                "stake moves           {} per coldkey, hotkey and interval",
                p.moves_per_interval
            );
            Ok(())
        }
    }
}

async fn delegates(c: &Chain, json: bool) -> Result<()> {
    let mut hotkeys: Vec<AccountId> = Vec::new();
    for (netuid, _) in c.read(&c.registry().netuids_open()).await? {
        let m = c.metagraph(netuid).await?;
        hotkeys.extend(m.neurons.iter().map(|e| wire_account(&e.hotkey)));
    }
    hotkeys.extend(
        c.read(&c.ledger().root_members())
            .await?
            .iter()
            .map(wire_account),
    );
    hotkeys.sort();
    hotkeys.dedup();
    let mut rows = Vec::new();
    for h in hotkeys {
        let Some(pool) = c.read(&c.staking().pool(ink_account(h))).await? else {
            continue;
        };
        let nominated = if pool.shares == 0 {
            0.0
        } else {
            pool.shares.saturating_sub(pool.owner_shares) as f64 / pool.shares as f64
        };
        rows.push(DelegateRow {
            hotkey: h,
            owner: wire_account(&pool.owner),
            take_percent: u16_share(pool.take) * 100.0,
            total_stake_rao: pool.value.to_string(),
            nominators_share: nominated,
            maturing_rao: pool
                .maturing
                .iter()
                .map(|t| t.amount)
                .sum::<u128>()
                .to_string(),
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.total_stake_rao.parse::<u128>().unwrap_or(0)));
    if json {
        return print_json(&rows);
    }
    println!(
        "{:<48}  {:>6}  {:>20}  {:>10}  owner",
        "hotkey", "take", "stake", "nominated"
    );
    for r in rows {
        println!(
            "{:<48}  {:>5.2}%  {:>20}  {:>9.2}%  {}",
            r.hotkey,
            r.take_percent,
            format_tao(r.total_stake_rao.parse().unwrap_or(0)),
            r.nominators_share * 100.0,
            r.owner.short()
        );
    }
    Ok(())
}
