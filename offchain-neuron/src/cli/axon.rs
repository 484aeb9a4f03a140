//! `neuron axon serve`: publish where a hotkey's axon answers.

use std::net::SocketAddr;

use anyhow::Result;
use clap::Subcommand;

use super::common::{ChainArgs, KeyArgs, print_json, submit};
use crate::chain::Chain;
use crate::chain::metagraph::ip_fields;
use crate::wire::Hotkey;

/// The axon protocol number published with every axon (HTTP).
pub const AXON_PROTOCOL: u8 = 4;
/// The version published with every axon (this crate's major.minor.patch as one number).
pub const AXON_VERSION: u32 = 100;

#[derive(Subcommand, Debug)]
pub enum AxonCommand {
    /// Publish the axon address of a registered hotkey (signed by the hotkey).
    #[command(
        after_help = "Example:\n  neuron axon serve 203.0.113.9:8091 --netuid 1 --wallet miner --hotkey default"
    )]
    Serve {
        /// Public address the axon answers on.
        addr: SocketAddr,
        #[arg(long)]
        netuid: u16,
        #[command(flatten)]
        keys: KeyArgs,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: AxonCommand, chain: &ChainArgs) -> Result<()> {
    let c = chain.connect().await?;
    match cmd {
        AxonCommand::Serve {
            addr,
            netuid,
            keys,
            json,
        } => {
            let hotkey = keys.hotkey()?;
            let block = serve(&c, &hotkey, netuid, addr, json).await?;
            if json {
                return print_json(
                    &serde_json::json!({ "block": block, "axon": addr.to_string() }),
                );
            }
            println!("{} serves on {addr} (subnet {netuid})", hotkey.account());
            Ok(())
        }
    }
}

/// Publishes `addr` for `hotkey` on `netuid`; returns the inclusion block.
pub(crate) async fn serve(
    c: &Chain,
    hotkey: &Hotkey,
    netuid: u16,
    addr: SocketAddr,
    quiet: bool,
) -> Result<u32> {
    let (ip, ip_type) = ip_fields(addr.ip());
    let msg = c.registry().serve_axon(
        netuid,
        AXON_VERSION,
        ip,
        addr.port(),
        ip_type,
        AXON_PROTOCOL,
    );
    let inc = submit(
        &format!("axon {addr} on subnet {netuid}"),
        quiet,
        c.send("serving the axon", hotkey.pair(), &msg),
    )
    .await?;
    Ok(inc.block)
}
