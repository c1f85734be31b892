//! Webhook signatures (D2), as the Standard Webhooks specification defines them: the
//! signed content is `id.timestamp.body`, signed with HMAC-SHA256 under the secret's
//! bytes (the base64 after `whsec_`), shown as `v1,` and the base64 of the MAC. Several
//! secrets (a rotation's old and new) give several signatures, separated by spaces.
//!
//! Pure: the timestamp is the claim's `now`, passed in.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The prefix of a webhook secret as the specification writes it.
pub const SECRET_PREFIX: &str = "whsec_";

/// Why a webhook secret cannot sign (never carries the secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The secret does not start with `whsec_`.
    #[error("must start with whsec_")]
    Prefix,
    /// What follows `whsec_` is not standard base64.
    #[error("must be whsec_ followed by standard base64")]
    Base64,
    /// The decoded key is shorter than 24 bytes or longer than 64.
    #[error("must decode to 24 to 64 bytes")]
    Length,
}

/// The key bytes of a `whsec_…` secret, checked.
pub fn secret_key(secret: &str) -> Result<Vec<u8>, SecretError> {
    let encoded = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or(SecretError::Prefix)?;
    let key = STANDARD.decode(encoded).map_err(|_| SecretError::Base64)?;
    if !(24..=64).contains(&key.len()) {
        return Err(SecretError::Length);
    }
    Ok(key)
}

/// The `webhook-signature` header value for one message: one `v1,…` signature per secret,
/// separated by single spaces, in the order given.
pub fn signature_header(
    secrets: &[&str],
    id: &str,
    timestamp: i64,
    body: &str,
) -> Result<String, SecretError> {
    let mut out = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let key = secret_key(secret)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| SecretError::Length)?;
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        out.push(format!(
            "v1,{}",
            STANDARD.encode(mac.finalize().into_bytes())
        ));
    }
    Ok(out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn d2_the_specifications_test_vector() {
        assert_eq!(
            signature_header(
                &[SECRET],
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#
            )
            .unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn d2_a_rotation_signs_with_both_secrets() {
        let other = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=";
        let both = signature_header(&[other, SECRET], "msg_1", 1614265330, "{}").unwrap();
        let parts: Vec<_> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0],
            signature_header(&[other], "msg_1", 1614265330, "{}").unwrap()
        );
        assert_eq!(
            parts[1],
            signature_header(&[SECRET], "msg_1", 1614265330, "{}").unwrap()
        );
    }

    #[test]
    fn d2_a_bad_secret_is_refused_without_echoing_it() {
        assert_eq!(secret_key("MfKQ9r8GKYqrTwjU"), Err(SecretError::Prefix));
        assert_eq!(secret_key("whsec_!!!not-base64"), Err(SecretError::Base64));
        assert_eq!(secret_key("whsec_QUJD"), Err(SecretError::Length));
        assert!(!SecretError::Base64.to_string().contains("not-base64"));
    }

    #[test]
    fn d2_a_fresh_timestamp_changes_the_signature_not_the_id() {
        let a = signature_header(&[SECRET], "msg_7", 1_700_000_000, "{}").unwrap();
        let b = signature_header(&[SECRET], "msg_7", 1_700_000_060, "{}").unwrap();
        assert_ne!(a, b);
    }
}
