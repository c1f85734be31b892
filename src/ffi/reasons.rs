//! Why a transaction got no survey: the stable `HK_SKIP_*` codes and their names.

use std::ffi::{CString, c_char};
use std::sync::OnceLock;

use super::boundary::{guarded, owned_c_string};
use crate::model::SkipReason;

/// Skip reason E1: the transaction is not finalized yet.
pub const HK_SKIP_NOT_FINALIZED: u32 = 1;
/// Skip reason E2: the host excluded this transaction.
pub const HK_SKIP_EXCLUDED: u32 = 2;
/// Skip reason E7: the location is disabled.
pub const HK_SKIP_LOCATION_DISABLED: u32 = 3;
/// Skip reason E6: the sale has no customer.
pub const HK_SKIP_ANONYMOUS: u32 = 4;
/// Skip reason S3: finalized too long before the batch's business date.
pub const HK_SKIP_TOO_OLD: u32 = 5;
/// Skip reason E2: the customer's "include in communications" is off.
pub const HK_SKIP_COMMUNICATIONS_OFF: u32 = 6;
/// Skip reason E3: the customer is unsubscribed.
pub const HK_SKIP_UNSUBSCRIBED: u32 = 7;
/// Skip reason E6: no usable e-mail or phone for the channel.
pub const HK_SKIP_NO_USABLE_CONTACT: u32 = 8;
/// Skip reason E8: the transaction already has an invitation.
pub const HK_SKIP_ALREADY_INVITED: u32 = 9;
/// Skip reason E4: the customer had an invitation within the cooldown.
pub const HK_SKIP_COOLDOWN: u32 = 10;
/// Skip reason E5: another transaction of the customer in the batch got the invitation.
pub const HK_SKIP_ONE_PER_BATCH: u32 = 11;
/// Skip reason P6: the sale was refunded or voided before it was evaluated.
pub const HK_SKIP_REFUNDED: u32 = 12;
/// Skip reason P2: the store-wide contact cap holds the person.
pub const HK_SKIP_CONTACT_CAP: u32 = 13;
/// Skip reason P4: the location reached its monthly response quota.
pub const HK_SKIP_QUOTA_REACHED: u32 = 14;
/// Skip reason P4: the customer is outside the night's sample.
pub const HK_SKIP_NOT_SAMPLED: u32 = 15;
/// Skip reason P4: the location's daily cap was reached.
pub const HK_SKIP_DAILY_CAP: u32 = 16;

struct ReasonText {
    code: u32,
    name: CString,
    description: CString,
    /// The description in French and in Korean.
    fr: CString,
    ko: CString,
}

fn reason_texts() -> &'static [ReasonText] {
    static TEXTS: OnceLock<Vec<ReasonText>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        SkipReason::ALL
            .into_iter()
            .map(|r| ReasonText {
                code: r.code(),
                name: owned_c_string(r.as_str().to_owned()),
                description: owned_c_string(r.describe().to_owned()),
                fr: owned_c_string(r.describe_in("fr").to_owned()),
                ko: owned_c_string(r.describe_in("ko").to_owned()),
            })
            .collect()
    })
}

fn reason_text(code: u32) -> Option<&'static ReasonText> {
    reason_texts().iter().find(|t| t.code == code)
}

/// The stable name of a skip reason code ("anonymous", "cooldown", ...), or NULL if unknown.
/// Static; do not free.
#[unsafe(no_mangle)]
pub extern "C" fn hk_skip_reason_name(reason: u32) -> *const c_char {
    guarded(std::ptr::null(), || {
        reason_text(reason).map_or(std::ptr::null(), |t| t.name.as_ptr())
    })
}

/// A short English sentence for a skip reason code, or NULL if unknown. Static; do not free.
#[unsafe(no_mangle)]
pub extern "C" fn hk_skip_reason_describe(reason: u32) -> *const c_char {
    guarded(std::ptr::null(), || {
        reason_text(reason).map_or(std::ptr::null(), |t| t.description.as_ptr())
    })
}

/// A short sentence for a skip reason code in `language` (`"en"`, `"fr"`, `"ko"`, or a
/// tag starting with one; others get English), or NULL if the code is unknown or
/// `language` is NULL. Static; do not free.
///
/// # Safety
/// `language` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_skip_reason_describe_in(
    reason: u32,
    language: *const c_char,
) -> *const c_char {
    guarded(std::ptr::null(), || {
        if language.is_null() {
            return std::ptr::null();
        }
        // SAFETY: non-NULL and NUL-terminated (contract above).
        let lang = unsafe { std::ffi::CStr::from_ptr(language) }.to_string_lossy();
        let primary = lang.split('-').next().unwrap_or("").to_ascii_lowercase();
        reason_text(reason).map_or(std::ptr::null(), |t| match primary.as_str() {
            "fr" => t.fr.as_ptr(),
            "ko" => t.ko.as_ptr(),
            _ => t.description.as_ptr(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_constants_match_the_model_codes() {
        let pairs = [
            (HK_SKIP_NOT_FINALIZED, SkipReason::NotFinalized),
            (HK_SKIP_EXCLUDED, SkipReason::Excluded),
            (HK_SKIP_LOCATION_DISABLED, SkipReason::LocationDisabled),
            (HK_SKIP_ANONYMOUS, SkipReason::Anonymous),
            (HK_SKIP_TOO_OLD, SkipReason::TooOld),
            (HK_SKIP_COMMUNICATIONS_OFF, SkipReason::CommunicationsOff),
            (HK_SKIP_UNSUBSCRIBED, SkipReason::Unsubscribed),
            (HK_SKIP_NO_USABLE_CONTACT, SkipReason::NoUsableContact),
            (HK_SKIP_ALREADY_INVITED, SkipReason::AlreadyInvited),
            (HK_SKIP_COOLDOWN, SkipReason::Cooldown),
            (HK_SKIP_ONE_PER_BATCH, SkipReason::OnePerBatch),
            (HK_SKIP_REFUNDED, SkipReason::Refunded),
            (HK_SKIP_CONTACT_CAP, SkipReason::ContactCap),
            (HK_SKIP_QUOTA_REACHED, SkipReason::QuotaReached),
            (HK_SKIP_NOT_SAMPLED, SkipReason::NotSampled),
            (HK_SKIP_DAILY_CAP, SkipReason::DailyCap),
        ];
        assert_eq!(pairs.len(), SkipReason::ALL.len());
        for (code, reason) in pairs {
            assert_eq!(code, reason.code());
            // SAFETY: static strings from this module.
            let name = unsafe { std::ffi::CStr::from_ptr(hk_skip_reason_name(code)) };
            assert_eq!(name.to_str(), Ok(reason.as_str()));
        }
        assert!(hk_skip_reason_name(0).is_null());
        assert!(hk_skip_reason_describe(99).is_null());
    }
}
