//! Link tokens (F6): at least 128 random bits, shown as hex digits, stored only as a key
//! derived from the token (its SHA-256, after a time-ordered prefix).
//!
//! A token hearken mints is 22 bytes (44 hex digits): a 6-byte time-ordered prefix (the
//! minting instant in Unix ms, shifted left by 6 bits, plus a counter that keeps it
//! increasing) followed by 16 random bytes. Its stored key is the prefix followed by the
//! SHA-256 of all 22 bytes, so new keys append to the end of the token tables' B-trees
//! instead of landing on scattered pages. Tokens minted before (16 random bytes, 32 hex
//! digits, stored under their plain SHA-256) still resolve: links already sent stay valid.

use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// Bytes of the time-ordered prefix of a token.
const PREFIX: usize = 6;
/// Random bytes of a token.
const RANDOM: usize = 16;

/// A link token's bytes, as minted or read from a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A token minted before time-ordered tokens: 16 random bytes.
    Legacy([u8; RANDOM]),
    /// The time-ordered prefix, then 16 random bytes.
    Ordered([u8; PREFIX + RANDOM]),
}

/// The key a token is stored under: 32 bytes (a legacy token's SHA-256) or 38 (a
/// time-ordered token's prefix, then its SHA-256).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenKey {
    bytes: [u8; PREFIX + 32],
    len: usize,
}

impl std::ops::Deref for TokenKey {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl TokenKey {
    /// A key as a store read it back (32 or 38 bytes); `None` for any other length.
    pub fn from_stored(stored: &[u8]) -> Option<TokenKey> {
        if stored.len() != 32 && stored.len() != PREFIX + 32 {
            return None;
        }
        let mut bytes = [0u8; PREFIX + 32];
        bytes[..stored.len()].copy_from_slice(stored);
        Some(TokenKey {
            bytes,
            len: stored.len(),
        })
    }
}

/// The last prefix handed out in this process, so prefixes keep increasing when several
/// tokens are minted in one millisecond (or at one `now`).
static LAST_PREFIX: AtomicU64 = AtomicU64::new(0);

impl Token {
    /// A new time-ordered token minted at `now_ms` with these random bytes.
    pub fn ordered(now_ms: i64, random: [u8; RANDOM]) -> Token {
        let mask = (1u64 << (8 * PREFIX)) - 1;
        let at = (u64::try_from(now_ms).unwrap_or(0) << 6) & mask;
        // After the prefix space wraps (year 2109), restart from the clock.
        let next = |last: u64| {
            if last >= at && last < mask {
                last + 1
            } else {
                at
            }
        };
        let prev = LAST_PREFIX
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
                Some(next(last))
            })
            .unwrap_or_else(|last| last);
        let prefix = next(prev);
        let mut bytes = [0u8; PREFIX + RANDOM];
        bytes[..PREFIX].copy_from_slice(&prefix.to_be_bytes()[8 - PREFIX..]);
        bytes[PREFIX..].copy_from_slice(&random);
        Token::Ordered(bytes)
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Token::Legacy(b) => b,
            Token::Ordered(b) => b,
        }
    }

    /// The key the token is stored under: the only form ever stored.
    pub fn key(&self) -> TokenKey {
        let mut bytes = [0u8; PREFIX + 32];
        let digest: [u8; 32] = Sha256::digest(self.bytes()).into();
        let len = match self {
            Token::Legacy(_) => {
                bytes[..32].copy_from_slice(&digest);
                32
            }
            Token::Ordered(b) => {
                bytes[..PREFIX].copy_from_slice(&b[..PREFIX]);
                bytes[PREFIX..].copy_from_slice(&digest);
                PREFIX + 32
            }
        };
        TokenKey { bytes, len }
    }
}

impl std::fmt::Display for Token {
    /// The token as a link carries it: lower-case hex.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(self.bytes()))
    }
}

/// Formats a token as a link carries it.
pub fn format_token(token: &Token) -> String {
    token.to_string()
}

/// Reads a token from a link: 44 hex digits (a time-ordered token) or 32 (one minted
/// before), either case.
pub fn parse_token(token: &str) -> Option<Token> {
    let token = token.trim();
    if !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match token.len() {
        32 => Some(Token::Legacy(unhex(token)?)),
        44 => Some(Token::Ordered(unhex(token)?)),
        _ => None,
    }
}

fn unhex<const N: usize>(token: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    for (i, chunk) in token.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(chunk).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// SHA-256 of `pepper` followed by a normalised contact, as lower-case hex (cross-store).
pub fn contact_hash(pepper: &str, kind: &str, normalised: &str) -> String {
    let mut h = Sha256::new();
    h.update(pepper.as_bytes());
    h.update([0]);
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(normalised.as_bytes());
    let digest: [u8; 32] = h.finalize().into();
    hex(&digest)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f6_tokens_round_trip_and_malformed_ones_are_refused() {
        let t = Token::ordered(1_790_000_000_000, [0xab; 16]);
        let s = format_token(&t);
        assert_eq!(s.len(), 44);
        assert_eq!(parse_token(&s), Some(t));
        assert_eq!(parse_token(&s.to_uppercase()), Some(t));
        let legacy = Token::Legacy([0xab; 16]);
        assert_eq!(format_token(&legacy), "ab".repeat(16));
        assert_eq!(parse_token(&"AB".repeat(16)), Some(legacy));
        for bad in [
            "",
            "xyz",
            &s[..43],
            &format!("{s}0"),
            &s[..31],
            "zz".repeat(16).as_str(),
            "zz".repeat(22).as_str(),
        ] {
            assert_eq!(parse_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn f6_time_ordered_tokens_have_increasing_keys_and_128_random_bits() {
        let now = 1_790_000_000_000;
        let mut last: Option<TokenKey> = None;
        for i in 0..=255u8 {
            // The same instant, random bytes going down: the keys still go up.
            let t = Token::ordered(now, [255 - i; 16]);
            let Token::Ordered(b) = t else { panic!() };
            assert_eq!(&b[6..], &[255 - i; 16]);
            let k = t.key();
            assert_eq!(k.len(), 38);
            assert_eq!(&k[..6], &b[..6]);
            assert_eq!(&k[6..], &Sha256::digest(b)[..]);
            if let Some(l) = last {
                assert!(*k > *l);
            }
            last = Some(k);
        }
        // A later instant starts above.
        assert!(*Token::ordered(now + 60_000, [0; 16]).key() > *last.unwrap());
    }

    #[test]
    fn hashes_are_sha256() {
        // A legacy token's key is the SHA-256 of its sixteen bytes.
        let h = Token::Legacy([0; 16]).key();
        assert_eq!(
            hex(&h),
            "374708fff7719dd5979ec875d56cd2286f6d3cf7ec317a3b25632aab28ec37bb"
        );
        assert_ne!(
            contact_hash("p", "email", "a@b.c"),
            contact_hash("q", "email", "a@b.c")
        );
    }
}
