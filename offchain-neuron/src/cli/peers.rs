//! `neuron peers`: a local peers file, the offline stand-in for the chain's metagraph.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;

use super::common::{parse_account, tao_to_rao};
use crate::peers::{PeerInfo, PeersFile};

const RAO_PER_TAO: f64 = 1e9;

#[derive(Subcommand, Debug)]
pub enum PeersCommand {
    /// Add or replace the entry of one UID in a peers file (created if missing).
    #[command(after_help = "Examples:\n  \
        neuron peers add --file peers.json --uid 0 --hotkey //Alice --stake-tao 1000 --permit\n  \
        neuron peers add --file peers.json --uid 1 --hotkey 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --axon 10.0.0.5:8091")]
    Add {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        uid: u16,
        /// SS58 address, or a development URI (//Bob) whose public key is used.
        #[arg(long)]
        hotkey: String,
        /// Stake behind the hotkey, in TAO.
        #[arg(long, default_value_t = 0.0)]
        stake_tao: f64,
        /// Holds a validator permit.
        #[arg(long)]
        permit: bool,
        /// Axon address ip:port, for miners.
        #[arg(long)]
        axon: Option<SocketAddr>,
    },
    /// Print a peers file as a table.
    Show {
        #[arg(long)]
        file: PathBuf,
    },
}

fn read_peers(path: &Path) -> Result<PeersFile> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .with_context(|| format!("{} is not a peers file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PeersFile::new(Vec::new())),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

pub fn cmd_peers(c: PeersCommand) -> Result<()> {
    match c {
        PeersCommand::Add {
            file,
            uid,
            hotkey,
            stake_tao,
            permit,
            axon,
        } => {
            let hotkey = parse_account(&hotkey, "--hotkey")?;
            let mut f = read_peers(&file)?;
            f.peers.retain(|p| p.uid != uid && p.hotkey != hotkey);
            f.peers.push(PeerInfo {
                uid,
                hotkey,
                stake_rao: tao_to_rao(stake_tao)?,
                validator_permit: permit,
                axon,
            });
            f.peers.sort_by_key(|p| p.uid);
            f.note = Some(PeersFile::NOTE.into());
            f.write(&file)?;
            println!(
                "{}: uid {uid} = {hotkey} ({} peers)",
                file.display(),
                f.peers.len()
            );
            Ok(())
        }
        PeersCommand::Show { file } => {
            let f = read_peers(&file)?;
            println!(
                "{:>4}  {:<48}  {:>14}  {:>6}  axon",
                "uid", "hotkey", "stake (TAO)", "permit"
            );
            for p in f.peers {
                println!(
                    "{:>4}  {:<48}  {:>14.3}  {:>6}  {}",
                    p.uid,
                    p.hotkey,
                    p.stake_rao as f64 / RAO_PER_TAO,
                    if p.validator_permit { "yes" } else { "no" },
                    p.axon.map_or("-".into(), |a| a.to_string())
                );
            }
            Ok(())
        }
    }
}
