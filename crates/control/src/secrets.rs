//! Access key secrets at rest. Signatures are checked with the secret itself, so it cannot be
//! stored as a one-way hash; it is sealed instead with ChaCha20-Poly1305 under a key that lives
//! in the data directory, apart from the database. A copy of the database alone reveals no secret.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use xconnect_model::{Error, Result};

/// Length of the sealing key in bytes.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
/// Marks the format of a sealed value, so a later scheme can be told apart.
const VERSION: &str = "v1:";

/// Seals and opens secrets with one key.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl Sealer {
    pub fn new(key: &[u8; KEY_LEN]) -> Sealer {
        Sealer { cipher: ChaCha20Poly1305::new(Key::from_slice(key)) }
    }

    /// A fresh random sealing key.
    pub fn generate_key() -> [u8; KEY_LEN] {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).expect("the operating system's random source is available");
        key
    }

    /// `v1:` and the base64 of a random nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random source is available");
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("encryption of a short secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    /// Opens a sealed value. Fails if it was sealed under another key or was altered.
    pub fn open(&self, sealed: &str) -> Result<String> {
        let fail = || Error::internal("a stored secret cannot be opened with this data directory's key");
        let body = sealed.strip_prefix(VERSION).ok_or_else(fail)?;
        let bytes = STANDARD.decode(body).map_err(|_| fail())?;
        if bytes.len() < NONCE_LEN {
            return Err(fail());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_and_refuses_the_wrong_key() {
        let s = Sealer::new(&Sealer::generate_key());
        let sealed = s.seal("top secret");
        assert!(!sealed.contains("top secret"));
        assert_ne!(sealed, s.seal("top secret"), "each seal uses a fresh nonce");
        assert_eq!(s.open(&sealed).unwrap(), "top secret");
        let other = Sealer::new(&Sealer::generate_key());
        assert!(other.open(&sealed).is_err());
        // Every byte flipped in turn, nonce, ciphertext and tag alike: each must be refused.
        // (Changing the last base64 character could leave the bytes as they were, one time
        // in 64, and so prove nothing.)
        let bytes = STANDARD.decode(sealed.strip_prefix(VERSION).unwrap()).unwrap();
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x01;
            let tampered = format!("{VERSION}{}", STANDARD.encode(&flipped));
            assert!(s.open(&tampered).is_err(), "byte {i} flipped was accepted");
        }
    }
}
