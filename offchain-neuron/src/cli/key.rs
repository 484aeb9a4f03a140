//! `neuron key`: single sr25519 key files (wallets: `neuron wallet`).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Subcommand;

use super::common::dev_uri_only;
use crate::fsutil::write_secret;
use crate::wire::Hotkey;

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Print the SS58 address and public key of a dev URI or of a key file.
    #[command(
        after_help = "Examples:\n  neuron key inspect //Alice\n  neuron key inspect --file ~/.neuron/hotkey"
    )]
    Inspect {
        /// A development URI such as //Alice (real keys: use --file).
        #[arg(conflicts_with = "file", required_unless_present = "file")]
        uri: Option<String>,
        /// Key file (chmod 600) holding a mnemonic or secret URI.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Create a random hotkey; writes its mnemonic to FILE (mode 600) and prints the address.
    #[command(after_help = "Example:\n  neuron key new --out ~/.neuron/hotkey")]
    New {
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn cmd_key(c: KeyCommand) -> Result<()> {
    match c {
        KeyCommand::Inspect { uri, file } => {
            let k = match (uri, file) {
                (_, Some(path)) => Hotkey::from_file(&path)?,
                (Some(uri), None) => dev_uri_only(&uri, "key inspect")?,
                (None, None) => bail!("give a dev URI (//Alice) or --file PATH"),
            };
            println!("ss58:       {}", k.account());
            println!("public key: 0x{}", hex::encode(k.account().0));
            Ok(())
        }
        KeyCommand::New { out } => {
            if out.exists() {
                bail!(
                    "{} already exists; refusing to overwrite a key",
                    out.display()
                );
            }
            let (k, phrase) = Hotkey::generate()?;
            write_secret(&out, format!("{phrase}\n").as_bytes())?;
            println!(
                "ss58: {}\nmnemonic written to {} (mode 600); back it up",
                k.account(),
                out.display()
            );
            Ok(())
        }
    }
}
