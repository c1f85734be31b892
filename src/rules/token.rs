//! Link tokens (F6): 128 random bits shown as 32 hex digits, stored only as SHA-256.

use sha2::{Digest, Sha256};

/// Formats 16 random bytes as the token a link carries.
pub fn format_token(bytes: &[u8; 16]) -> String {
    hex(bytes)
}

/// Reads a token from a link: exactly 32 hex digits (either case).
pub fn parse_token(token: &str) -> Option<[u8; 16]> {
    let token = token.trim();
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, chunk) in token.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(chunk).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// The SHA-256 of a token's bytes: the only form ever stored.
pub fn token_hash(bytes: &[u8; 16]) -> [u8; 32] {
    Sha256::digest(bytes).into()
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
        let bytes = [0xab; 16];
        let t = format_token(&bytes);
        assert_eq!(t.len(), 32);
        assert_eq!(parse_token(&t), Some(bytes));
        assert_eq!(parse_token(&t.to_uppercase()), Some(bytes));
        for bad in [
            "",
            "xyz",
            &t[..31],
            &format!("{t}0"),
            "zz".repeat(16).as_str(),
        ] {
            assert_eq!(parse_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn hashes_are_sha256() {
        // SHA-256 of sixteen zero bytes.
        let h = token_hash(&[0; 16]);
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
