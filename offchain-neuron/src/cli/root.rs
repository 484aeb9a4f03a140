//! `neuron root`: the root network, whose members vote how emission is shared between subnets.

use anyhow::{Result, bail};
use bt_interfaces::StakingProtocol;
use clap::Subcommand;

use super::common::{ChainArgs, KeyArgs, WriteReport, print_json, submit};
use crate::chain::{ink_account, wire_account};
use crate::units::format_tao;

#[derive(Subcommand, Debug)]
pub enum RootCommand {
    /// Join the root network with a hotkey (signed by its coldkey); when full, the member with
    /// the least stake is replaced if this hotkey has more.
    #[command(after_help = "Example:\n  neuron root register --wallet v --hotkey default")]
    Register {
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Vote how emission is shared between subnets (signed by a member hotkey).
    #[command(
        after_help = "Example:\n  neuron root weights --netuids 1,2 --weights 0.7,0.3 --wallet v --hotkey default"
    )]
    Weights {
        #[arg(long, value_delimiter = ',', required = true)]
        netuids: Vec<u16>,
        #[arg(long, value_delimiter = ',', required = true)]
        weights: Vec<f64>,
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// The root members with their stake, and the root parameters.
    Show {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: RootCommand, chain: &ChainArgs) -> Result<()> {
    let c = chain.connect().await?;
    match cmd {
        RootCommand::Register { keys, json } => {
            let hotkey = keys.hotkey_account()?;
            let coldkey = keys.coldkey()?;
            let inc = submit(
                "root registration",
                json,
                c.send(
                    "root registration",
                    coldkey.pair(),
                    &c.ledger().root_register(ink_account(hotkey)),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(&inc, ()));
            }
            println!("{hotkey} is a root member");
            Ok(())
        }
        RootCommand::Weights {
            netuids,
            weights,
            keys,
            json,
        } => {
            if netuids.len() != weights.len()
                || weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
            {
                bail!("give one non-negative weight per netuid");
            }
            let max = weights.iter().copied().fold(0.0, f64::max);
            if max <= 0.0 {
                bail!("at least one weight must be positive");
            }
            let values: Vec<u16> = weights
                .iter()
                .map(|w| (w / max * f64::from(u16::MAX)).round() as u16)
                .collect();
            let hotkey = keys.hotkey()?;
            let inc = submit(
                "root weights",
                json,
                c.send(
                    "root weights",
                    hotkey.pair(),
                    &c.ledger().set_root_weights(netuids.clone(), values.clone()),
                ),
            )
            .await?;
            if json {
                return print_json(&WriteReport::new(
                    &inc,
                    netuids.iter().zip(&values).collect::<Vec<_>>(),
                ));
            }
            println!(
                "root weights set: {:?}",
                netuids.iter().zip(&values).collect::<Vec<_>>()
            );
            Ok(())
        }
        RootCommand::Show { json } => {
            let members = c.read(&c.ledger().root_members()).await?;
            let stakes = c.read(&c.staking().stakes(members.clone())).await?;
            let p = c.read(&c.ledger().params()).await?;
            let rows: Vec<serde_json::Value> = members
                .iter()
                .zip(stakes.iter().chain(std::iter::repeat(&0)))
                .map(|(m, s)| serde_json::json!({ "hotkey": wire_account(m), "stake_rao": s.to_string() }))
                .collect();
            if json {
                return print_json(&serde_json::json!({
                    "members": rows,
                    "root_tempo": p.root_tempo,
                    "root_min_stake_rao": p.root_min_stake.to_string(),
                }));
            }
            println!(
                "root network: {} members, root epoch every {} blocks, minimum stake {}",
                members.len(),
                p.root_tempo,
                format_tao(p.root_min_stake)
            );
            for (m, s) in members
                .iter()
                .zip(stakes.iter().chain(std::iter::repeat(&0)))
            {
                println!("  {}  {}", wire_account(m), format_tao(*s));
            }
            Ok(())
        }
    }
}
