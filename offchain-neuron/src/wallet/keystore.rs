//! Coldkeys at rest in the polkadot.js keystore JSON format (version 3): the sr25519 key as
//! PKCS#8, sealed with xsalsa20-poly1305 under a key stretched from the password by scrypt
//! (N = 2^15, r = 8, p = 1, a random 32-byte salt per file). A file written here imports into
//! polkadot.js, and a polkadot.js export opens here.

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subxt_signer::sr25519::Keypair;

use crate::wire::AccountId;

const PKCS8_HEADER: [u8; 16] = [48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32];
const PKCS8_DIVIDER: [u8; 5] = [161, 35, 3, 33, 0];
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Encoding {
    pub content: Vec<String>,
    #[serde(rename = "type")]
    pub kind: Vec<String>,
    pub version: String,
}

/// A polkadot.js keystore file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeystoreJson {
    pub encoded: String,
    pub encoding: Encoding,
    pub address: String,
    #[serde(default)]
    pub meta: serde_json::Value,
}

/// A coldkey's secret: the 32-byte mini secret key a mnemonic derives (sr25519, as
/// polkadot.js and subxt derive it).
pub struct ColdSecret {
    mini: [u8; 32],
}

impl Drop for ColdSecret {
    fn drop(&mut self) {
        self.mini = [0u8; 32];
    }
}

impl ColdSecret {
    /// From a BIP39 mnemonic (no BIP39 password), like polkadot.js and btcli.
    pub fn from_phrase(phrase: &str) -> Result<Self> {
        use pbkdf2::pbkdf2_hmac;
        use sha2::Sha512;
        let mnemonic =
            subxt_signer::bip39::Mnemonic::parse_normalized(phrase.trim()).map_err(|e| {
                anyhow!("not a valid BIP39 mnemonic ({e}); check the words and their order")
            })?;
        let entropy = mnemonic.to_entropy();
        let mut seed = [0u8; 64];
        pbkdf2_hmac::<Sha512>(&entropy, b"mnemonic", 2048, &mut seed);
        let mut mini = [0u8; 32];
        mini.copy_from_slice(&seed[..32]);
        seed = [0u8; 64];
        let _ = seed;
        Ok(Self { mini })
    }

    pub fn keypair(&self) -> Result<Keypair> {
        Keypair::from_secret_key(self.mini).map_err(|e| anyhow!("invalid secret key: {e}"))
    }

    /// Seals the key under `password` as a polkadot.js keystore file.
    pub fn encrypt(&self, password: &str, name: &str) -> Result<KeystoreJson> {
        let expanded = schnorrkel::MiniSecretKey::from_bytes(&self.mini)
            .map_err(|e| anyhow!("invalid secret key: {e}"))?
            .expand_to_keypair(schnorrkel::ExpansionMode::Ed25519);
        let mut plain = Vec::with_capacity(117);
        plain.extend_from_slice(&PKCS8_HEADER);
        plain.extend_from_slice(&expanded.secret.to_ed25519_bytes());
        plain.extend_from_slice(&PKCS8_DIVIDER);
        plain.extend_from_slice(&expanded.public.to_bytes());

        let mut salt = [0u8; 32];
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let key = stretch(password, &salt)?;
        let sealed = XSalsa20Poly1305::new(&key)
            .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
            .map_err(|_| anyhow!("encryption failed"))?;
        plain.iter_mut().for_each(|b| *b = 0);

        let mut encoded = Vec::with_capacity(68 + sealed.len());
        encoded.extend_from_slice(&salt);
        encoded.extend_from_slice(&(1u32 << SCRYPT_LOG_N).to_le_bytes());
        encoded.extend_from_slice(&SCRYPT_P.to_le_bytes());
        encoded.extend_from_slice(&SCRYPT_R.to_le_bytes());
        encoded.extend_from_slice(&nonce);
        encoded.extend_from_slice(&sealed);
        let when = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Ok(KeystoreJson {
            encoded: base64::engine::general_purpose::STANDARD.encode(encoded),
            encoding: Encoding {
                content: vec!["pkcs8".into(), "sr25519".into()],
                kind: vec!["scrypt".into(), "xsalsa20-poly1305".into()],
                version: "3".into(),
            },
            address: AccountId(expanded.public.to_bytes()).to_ss58(),
            meta: serde_json::json!({ "name": name, "whenCreated": when, "genesisHash": "" }),
        })
    }
}

fn stretch(password: &str, salt: &[u8]) -> Result<Key> {
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
        .map_err(|e| anyhow!("scrypt parameters: {e}"))?;
    let mut key = Key::default();
    scrypt::scrypt(password.as_bytes(), salt, &params, &mut key)
        .map_err(|e| anyhow!("scrypt: {e}"))?;
    Ok(key)
}

impl KeystoreJson {
    pub fn parse(text: &str) -> Result<Self> {
        let k: Self = serde_json::from_str(text).context(
            "not a polkadot.js keystore JSON file (expected fields encoded, encoding, address)",
        )?;
        if k.encoding.version != "3"
            || !k.encoding.content.iter().any(|c| c == "sr25519")
            || !k.encoding.kind.iter().any(|c| c == "scrypt")
        {
            bail!(
                "unsupported keystore encoding {:?} {:?} version {}: only sr25519 keys sealed with scrypt + xsalsa20-poly1305 (version 3, what polkadot.js exports) are supported",
                k.encoding.content,
                k.encoding.kind,
                k.encoding.version
            );
        }
        Ok(k)
    }

    /// Opens the file with `password`. A wrong password is reported as such.
    pub fn decrypt(&self, password: &str) -> Result<Keypair> {
        let text = serde_json::to_string(self)?;
        subxt_signer::polkadot_js_compat::decrypt_json(&text, password).map_err(|e| {
            let msg = e.to_string();
            if msg.contains("Decryption error") {
                anyhow!(
                    "wrong password for {} (the keystore did not open)",
                    self.address
                )
            } else {
                anyhow!("cannot open the keystore of {}: {msg}", self.address)
            }
        })
    }

    pub fn account(&self) -> Result<AccountId> {
        AccountId::from_ss58(&self.address)
            .map_err(|e| anyhow!("keystore address {} is not SS58: {e}", self.address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    #[test]
    fn a_sealed_coldkey_opens_with_its_password_only() {
        let secret = ColdSecret::from_phrase(PHRASE).unwrap();
        let pair = secret.keypair().unwrap();
        let from_phrase = Keypair::from_phrase(&PHRASE.parse().unwrap(), None).unwrap();
        assert_eq!(pair.public_key().0, from_phrase.public_key().0);

        let sealed = secret.encrypt("correct horse", "test").unwrap();
        assert_eq!(sealed.address, AccountId(pair.public_key().0).to_ss58());
        let text = serde_json::to_string_pretty(&sealed).unwrap();
        // The file opens through subxt-signer's independent polkadot.js reader.
        let reopened = KeystoreJson::parse(&text)
            .unwrap()
            .decrypt("correct horse")
            .unwrap();
        assert_eq!(reopened.public_key().0, pair.public_key().0);
        let wrong = KeystoreJson::parse(&text)
            .unwrap()
            .decrypt("wrong")
            .unwrap_err();
        assert!(wrong.to_string().contains("wrong password"), "{wrong}");
        // A fresh salt and nonce per file.
        let again = secret.encrypt("correct horse", "test").unwrap();
        assert_ne!(again.encoded, sealed.encoded);
    }

    #[test]
    fn a_polkadot_js_export_opens() {
        // A polkadot.js export of Alice's key (password "whoisalice"), the public test vector of
        // subxt-signer's reader.
        let json = r#"{"encoded":"DumgApKCTqoCty1OZW/8WS+sgo6RdpHhCwAkA2IoDBMAgAAAAQAAAAgAAAB6IG/q24EeVf0JqWqcBd5m2tKq5BlyY84IQ8oamLn9DZe9Ouhgunr7i36J1XxUnTI801axqL/ym1gil0U8440Qvj0lFVKwGuxq38zuifgoj0B3Yru0CI6QKEvQPU5xxj4MpyxdSxP+2PnTzYao0HDH0fulaGvlAYXfqtU89xrx2/z9z7IjSwS3oDFPXRQ9kAdDebtyCVreZ9Otw9v3","encoding":{"content":["pkcs8","sr25519"],"type":["scrypt","xsalsa20-poly1305"],"version":"3"},"address":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","meta":{"genesisHash":"","name":"Alice","whenCreated":1718265838755}}"#;
        let k = KeystoreJson::parse(json).unwrap();
        let pair = k.decrypt("whoisalice").unwrap();
        assert_eq!(
            AccountId(pair.public_key().0).to_ss58(),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
    }
}
