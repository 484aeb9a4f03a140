//! sr25519 hotkeys (the identity a neuron signs requests and responses with).
//!
//! Keys come from secret URIs as understood by Substrate tools: a dev account (`//Alice`), a
//! BIP39 mnemonic with optional derivation path and password (`"word … word//hot/1///pw"`), or
//! a 0x-hex seed. Signatures use schnorrkel with the "substrate" signing context, like
//! polkadot.js and Bittensor's wallets.

use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result, anyhow};
use subxt_signer::SecretUri;
use subxt_signer::sr25519::{self, Keypair, PublicKey, Signature};

use super::ss58::AccountId;

/// A hotkey able to sign.
#[derive(Clone)]
pub struct Hotkey {
    pair: Keypair,
    account: AccountId,
}

impl std::fmt::Debug for Hotkey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hotkey({})", self.account)
    }
}

impl Hotkey {
    /// From a secret URI (`//Alice`, a mnemonic phrase, optionally with `//hard/soft///password`).
    pub fn from_uri(uri: &str) -> Result<Self> {
        let parsed = SecretUri::from_str(uri.trim()).map_err(|e| {
            anyhow!(
                "not a valid secret URI ({e}); use a dev URI such as //Alice, a 12/24-word \
                 BIP39 mnemonic, or a 0x-prefixed 32-byte hex seed"
            )
        })?;
        let pair = Keypair::from_uri(&parsed)
            .map_err(|e| anyhow!("cannot derive an sr25519 key from that URI: {e}"))?;
        Ok(Self::from_pair(pair))
    }

    /// From a file holding a secret URI or mnemonic (first non-empty line). Refuses a file that
    /// other users can read or write: the key in it must be treated as already leaked.
    pub fn from_file(path: &Path) -> Result<Self> {
        crate::fsutil::check_private(path)?;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read hotkey file {}", path.display()))?;
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| anyhow!("hotkey file {} is empty", path.display()))?;
        Self::from_uri(line).with_context(|| format!("hotkey file {}", path.display()))
    }

    /// Whether `uri` is a development URI (`//Alice`, `//Bob//stash`): derived from the
    /// well-known dev phrase, so safe to pass on a command line.
    pub fn is_dev_uri(uri: &str) -> bool {
        let u = uri.trim();
        u.starts_with("//") && u.len() > 2 && !u.chars().any(char::is_whitespace)
    }

    /// Creates a fresh random key: returns it with its BIP39 mnemonic (write that down).
    pub fn generate() -> Result<(Self, String)> {
        use rand::RngCore;
        let mut entropy = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut entropy);
        let m = subxt_signer::bip39::Mnemonic::from_entropy(&entropy)?;
        let pair = Keypair::from_phrase(&m, None).map_err(|e| anyhow!("{e}"))?;
        Ok((Self::from_pair(pair), m.to_string()))
    }

    fn from_pair(pair: Keypair) -> Self {
        let account = AccountId(pair.public_key().0);
        Self { pair, account }
    }

    /// The signing pair (for chain extrinsics).
    pub fn pair(&self) -> &Keypair {
        &self.pair
    }

    /// Wraps a pair (a wallet's coldkey or hotkey).
    pub fn from_keypair(pair: Keypair) -> Self {
        Self::from_pair(pair)
    }

    /// The public key / account id.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// sr25519 signature (context "substrate") over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.pair.sign(message).0
    }
}

/// Checks an sr25519 signature (context "substrate") of `signer` over `message`.
pub fn verify(signer: &AccountId, message: &[u8], signature: &[u8; 64]) -> bool {
    sr25519::verify(&Signature(*signature), message, &PublicKey(signer.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_uri_gives_the_known_alice_key() {
        let alice = Hotkey::from_uri("//Alice").unwrap();
        assert_eq!(
            alice.account().to_ss58(),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
    }

    #[test]
    fn mnemonic_with_derivation_and_signatures() {
        let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
        let base = Hotkey::from_uri(phrase).unwrap();
        let derived = Hotkey::from_uri(&format!("{phrase}//hot")).unwrap();
        assert_ne!(base.account(), derived.account());
        // The dev phrase without derivation is not Alice; //Alice is the dev phrase + //Alice.
        assert_eq!(
            Hotkey::from_uri(&format!("{phrase}//Alice"))
                .unwrap()
                .account(),
            Hotkey::from_uri("//Alice").unwrap().account()
        );
        let sig = derived.sign(b"hello");
        assert!(verify(&derived.account(), b"hello", &sig));
        assert!(!verify(&derived.account(), b"hellO", &sig));
        assert!(!verify(&base.account(), b"hello", &sig));
        assert!(Hotkey::from_uri("not a key at all").is_err());
    }

    #[test]
    fn generated_keys_round_trip_through_their_mnemonic() {
        let (k, phrase) = Hotkey::generate().unwrap();
        assert_eq!(Hotkey::from_uri(&phrase).unwrap().account(), k.account());
    }
}
