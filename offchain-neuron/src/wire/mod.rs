//! Wire protocol shared by the axon (server) and the dendrite (client): keys, SS58 addresses
//! and the signed header envelope. See [`message`] for the exact format.

pub mod keys;
pub mod message;
pub mod ss58;

pub use keys::Hotkey;
pub use message::{Envelope, Purpose, body_hash, canonical, new_nonce, now_ms};
pub use ss58::AccountId;
