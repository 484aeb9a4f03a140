//! Wallets as btcli users know them: per wallet one coldkey (encrypted at rest, polkadot.js
//! keystore format) and named hotkeys (plain mnemonics, mode 0600, because miners and
//! validators sign with them unattended).
//!
//! ```text
//! <wallets dir>/<wallet>/coldkey          polkadot.js keystore JSON (scrypt + xsalsa20-poly1305)
//! <wallets dir>/<wallet>/coldkeypub.txt   the coldkey's SS58 address
//! <wallets dir>/<wallet>/hotkeys/<name>   {"secretPhrase": ..., "ss58Address": ...}
//! ```

pub mod keystore;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::fsutil::{check_private, write_secret};
use crate::wire::{AccountId, Hotkey};
use keystore::{ColdSecret, KeystoreJson};

/// Environment variable holding the coldkey password for scripts.
pub const PASSWORD_ENV: &str = "BT_WALLET_PASSWORD";

/// `~/.bittensor-ink` (or `$BT_HOME`).
pub fn home_dir() -> PathBuf {
    if let Some(h) = std::env::var_os("BT_HOME") {
        return PathBuf::from(h);
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".bittensor-ink")
}

/// The default wallets directory.
pub fn default_wallets_dir() -> PathBuf {
    home_dir().join("wallets")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct HotkeyFile {
    #[serde(rename = "secretPhrase")]
    secret_phrase: String,
    #[serde(rename = "ss58Address")]
    ss58_address: String,
}

/// One wallet directory.
#[derive(Debug, Clone)]
pub struct Wallet {
    pub name: String,
    pub dir: PathBuf,
}

fn valid_name(kind: &str, name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        || name.starts_with('.')
    {
        // Never echoed: a mnemonic pasted into the wrong flag lands here.
        bail!(
            "the {kind} name given is not valid (input not shown, in case it is a secret): use \
             1-64 letters, digits, '-', '_' or '.' (not starting with '.'). Secrets never go on a \
             command line: keep keys in a wallet (`neuron wallet new`) or a key file (--hotkey-file)"
        );
    }
    Ok(())
}

impl Wallet {
    pub fn open(wallets_dir: &Path, name: &str) -> Result<Self> {
        valid_name("wallet", name)?;
        Ok(Self {
            name: name.to_string(),
            dir: wallets_dir.join(name),
        })
    }

    pub fn coldkey_path(&self) -> PathBuf {
        self.dir.join("coldkey")
    }

    pub fn hotkey_path(&self, hotkey: &str) -> Result<PathBuf> {
        valid_name("hotkey", hotkey)?;
        Ok(self.dir.join("hotkeys").join(hotkey))
    }

    pub fn exists(&self) -> bool {
        self.coldkey_path().is_file()
    }

    /// Writes a new coldkey; refuses to overwrite one.
    pub fn write_coldkey(&self, secret: &ColdSecret, password: &str) -> Result<AccountId> {
        let sealed = secret.encrypt(password, &self.name)?;
        self.store_coldkey(&sealed)
    }

    /// Stores an already sealed keystore file (an import) after checking it is well formed.
    pub fn store_coldkey(&self, sealed: &KeystoreJson) -> Result<AccountId> {
        let account = sealed.account()?;
        if self.exists() {
            bail!(
                "wallet `{}` already has a coldkey ({}); choose another name or delete the directory yourself",
                self.name,
                self.coldkey_path().display()
            );
        }
        write_secret(
            &self.coldkey_path(),
            serde_json::to_string_pretty(sealed)?.as_bytes(),
        )?;
        crate::fsutil::write_atomic(
            &self.dir.join("coldkeypub.txt"),
            format!("{}\n", account.to_ss58()).as_bytes(),
        )?;
        Ok(account)
    }

    pub fn keystore(&self) -> Result<KeystoreJson> {
        let path = self.coldkey_path();
        if !path.is_file() {
            bail!(
                "wallet `{}` has no coldkey at {}: create one with `neuron wallet new {}`",
                self.name,
                path.display(),
                self.name
            );
        }
        check_private(&path)?;
        KeystoreJson::parse(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("coldkey file {}", path.display()))
    }

    /// The coldkey's address, without the password.
    pub fn coldkey_address(&self) -> Result<AccountId> {
        self.keystore()?.account()
    }

    /// Opens the coldkey (asks for the password, or reads it from `BT_WALLET_PASSWORD`).
    pub fn coldkey(&self) -> Result<Hotkey> {
        let ks = self.keystore()?;
        let password = read_password(&format!(
            "password for coldkey of wallet `{}` ({}): ",
            self.name, ks.address
        ))?;
        Ok(Hotkey::from_keypair(ks.decrypt(&password)?))
    }

    /// Writes a hotkey's mnemonic (mode 0600).
    pub fn write_hotkey(&self, hotkey: &str, phrase: &str) -> Result<AccountId> {
        let key = Hotkey::from_uri(phrase)?;
        let file = HotkeyFile {
            secret_phrase: phrase.trim().to_string(),
            ss58_address: key.account().to_ss58(),
        };
        write_secret(
            &self.hotkey_path(hotkey)?,
            serde_json::to_string_pretty(&file)?.as_bytes(),
        )?;
        Ok(key.account())
    }

    pub fn hotkey(&self, hotkey: &str) -> Result<Hotkey> {
        let path = self.hotkey_path(hotkey)?;
        if !path.is_file() {
            bail!(
                "wallet `{}` has no hotkey `{hotkey}` ({}): create it with `neuron wallet new-hotkey {} --hotkey {hotkey}`",
                self.name,
                path.display(),
                self.name
            );
        }
        check_private(&path)?;
        let file: HotkeyFile = serde_json::from_str(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("hotkey file {}", path.display()))?;
        let key = Hotkey::from_uri(&file.secret_phrase)
            .with_context(|| format!("hotkey file {}", path.display()))?;
        if key.account().to_ss58() != file.ss58_address {
            bail!(
                "hotkey file {} is inconsistent: its phrase gives {} but it names {}",
                path.display(),
                key.account(),
                file.ss58_address
            );
        }
        Ok(key)
    }

    /// The hotkeys' names and addresses (read without secrets where possible).
    pub fn hotkeys(&self) -> Result<Vec<(String, AccountId)>> {
        let dir = self.dir.join("hotkeys");
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(out);
        };
        for e in entries {
            let e = e?;
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let text = std::fs::read_to_string(e.path())?;
            let file: HotkeyFile = serde_json::from_str(&text)
                .with_context(|| format!("hotkey file {}", e.path().display()))?;
            let account = AccountId::from_ss58(&file.ss58_address)
                .map_err(|err| anyhow!("hotkey file {}: {err}", e.path().display()))?;
            out.push((name, account));
        }
        out.sort();
        Ok(out)
    }
}

/// Every wallet in `dir`, by name.
pub fn list(dir: &Path) -> Result<Vec<Wallet>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    for e in entries {
        let e = e?;
        if e.path().join("coldkey").is_file() {
            out.push(Wallet {
                name: e.file_name().to_string_lossy().to_string(),
                dir: e.path(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A password from `BT_WALLET_PASSWORD`, else from the terminal without echo.
pub fn read_password(prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(p);
    }
    rpassword::prompt_password(prompt).map_err(|e| {
        anyhow!(
            "cannot read a password from the terminal ({e}); in scripts set {PASSWORD_ENV} \
             (anyone who can read this process's environment can read it)"
        )
    })
}

/// A new password, typed twice (or from `BT_WALLET_PASSWORD`).
pub fn new_password() -> Result<String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(p);
    }
    let first = read_password("new coldkey password: ")?;
    if first.chars().count() < 8 {
        bail!(
            "the password is shorter than 8 characters: a stolen coldkey file is only as safe as its password"
        );
    }
    let second = read_password("repeat it: ")?;
    if first != second {
        bail!("the two passwords differ; nothing was written");
    }
    Ok(first)
}

/// A fresh 12- or 24-word mnemonic.
pub fn generate_phrase(words: usize) -> Result<String> {
    use rand::RngCore;
    let len = match words {
        12 => 16,
        24 => 32,
        _ => bail!("--words must be 12 or 24"),
    };
    let mut entropy = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut entropy);
    Ok(subxt_signer::bip39::Mnemonic::from_entropy(&entropy)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wallet_round_trip_keeps_keys_private_and_refuses_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let w = Wallet::open(dir.path(), "alice").unwrap();
        let phrase = generate_phrase(12).unwrap();
        let secret = ColdSecret::from_phrase(&phrase).unwrap();
        let cold = w.write_coldkey(&secret, "hunter22hunter22").unwrap();
        assert_eq!(w.coldkey_address().unwrap(), cold);
        assert!(
            w.write_coldkey(&secret, "x").is_err(),
            "overwrote a coldkey"
        );
        let hot_phrase = generate_phrase(12).unwrap();
        let hot = w.write_hotkey("default", &hot_phrase).unwrap();
        assert_eq!(w.hotkey("default").unwrap().account(), hot);
        assert_eq!(w.hotkeys().unwrap(), vec![("default".to_string(), hot)]);
        assert!(
            w.hotkey("missing")
                .unwrap_err()
                .to_string()
                .contains("new-hotkey")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in [w.coldkey_path(), w.hotkey_path("default").unwrap()] {
                assert_eq!(
                    std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                    0o600
                );
            }
            let p = w.hotkey_path("default").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(
                w.hotkey("default")
                    .unwrap_err()
                    .to_string()
                    .contains("chmod 600")
            );
        }
        assert!(Wallet::open(dir.path(), "../evil").is_err());
        assert_eq!(list(dir.path()).unwrap().len(), 1);
    }
}
