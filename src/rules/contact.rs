//! Contact normalisation (E3, E6): e-mails trimmed and lower-cased, phones in E.164.

/// A normalised contact, the key of the global suppression list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Contact {
    /// Trimmed, lower-cased e-mail address.
    Email(String),
    /// E.164 phone number, `+` and digits.
    Phone(String),
}

/// The normalised form of an e-mail address, or `None` if it is not usable.
pub fn normalize_email(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_ascii() {
        ascii_email(trimmed)
    } else {
        any_email(trimmed)
    }
}

/// [`normalize_email`] of a trimmed address in any script.
fn any_email(trimmed: &str) -> Option<String> {
    let email = trimmed.to_lowercase();
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    well_formed(&email, char::is_alphanumeric).then_some(email)
}

/// [`any_email`] of an ASCII address, byte by byte (most addresses; a sync normalises one
/// per customer): ASCII's whitespace and control characters are the bytes up to the space
/// and DEL, its letters and digits `is_ascii_alphanumeric`.
fn ascii_email(trimmed: &str) -> Option<String> {
    let b = trimmed.as_bytes();
    if b.len() > 254 || b.iter().any(|&c| c <= b' ' || c == 0x7f) {
        return None;
    }
    let email = trimmed.to_ascii_lowercase();
    well_formed(&email, |c| c.is_ascii_alphanumeric()).then_some(email)
}

/// E6: one `@`; a local part of 1 to 64 bytes, no dot at either end nor two in a row; a
/// domain of at least two labels, each of letters or digits (`letter_or_digit`) and inner
/// hyphens.
fn well_formed(email: &str, letter_or_digit: impl Fn(char) -> bool) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    let mut labels = 0;
    for l in domain.split('.') {
        labels += 1;
        let ok = !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| letter_or_digit(c) || c == '-');
        if !ok {
            return false;
        }
    }
    labels >= 2
}

/// The E.164 form of a phone number, reading local numbers with `default_country_code`.
pub fn normalize_phone(raw: &str, default_country_code: u32) -> Option<String> {
    let (international, digits) = phone_digits(raw)?;
    // Written into one string: `+`, then the digits (a local number: the country code,
    // then the number without its trunk prefix).
    let mut out = String::with_capacity(20);
    out.push('+');
    if international {
        out.push_str(&digits);
    } else {
        let national = digits.strip_prefix('0').unwrap_or(&digits);
        if national.is_empty() || default_country_code == 0 {
            return None;
        }
        use std::fmt::Write;
        write!(out, "{default_country_code}").ok()?;
        out.push_str(national);
    }
    let number = &out[1..];
    let ok = (8..=15).contains(&number.len()) && !number.starts_with('0');
    ok.then_some(out)
}

/// A phone number as written: whether it is international (`+` or `00`), and its digits
/// without the separators a number is written with; `None` for any other character.
fn phone_digits(raw: &str) -> Option<(bool, String)> {
    let s = raw.trim();
    let (international, rest) = if let Some(r) = s.strip_prefix('+') {
        (true, r)
    } else if let Some(r) = s.strip_prefix("00") {
        (true, r)
    } else {
        (false, s)
    };
    let mut digits = String::with_capacity(16);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return None,
        }
    }
    Some((international, digits))
}

/// Reads an unsubscribe request: an e-mail if it has an `@`, otherwise a phone number.
pub fn parse_contact(raw: &str, default_country_code: u32) -> Option<Contact> {
    if raw.contains('@') {
        normalize_email(raw).map(Contact::Email)
    } else {
        normalize_phone(raw, default_country_code).map(Contact::Phone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The phone form as first assembled (two `format!`s), the reference of the one now.
    fn phone_reference(raw: &str, default_country_code: u32) -> Option<String> {
        let (international, mut digits) = phone_digits(raw)?;
        if !international {
            let national = digits.strip_prefix('0').unwrap_or(&digits);
            if national.is_empty() || default_country_code == 0 {
                return None;
            }
            digits = format!("{default_country_code}{national}");
        }
        let ok = (8..=15).contains(&digits.len()) && !digits.starts_with('0');
        ok.then(|| format!("+{digits}"))
    }

    proptest! {
        /// E3, E6: an ASCII address gives the same answer byte by byte as through the
        /// general path (every ASCII character, the separators and edges weighted in).
        #[test]
        fn ascii_emails_normalise_as_any_email(
            raw in "[ \\t\\x0b\\x0c\\r\\x00-\\x1f\\x7fa-cA-C0-2@.\\-_+é]{0,24}",
            any in "\\PC{0,12}",
            shaped in " ?[a-cA-C0-2._\\-+é]{0,6}@[a-cA-C0-2\\-]{0,5}(\\.[a-cA-C0-2\\-]{0,4}){0,3} ?",
        ) {
            for raw in [raw, any, shaped] {
                let trimmed = raw.trim();
                prop_assert_eq!(normalize_email(&raw), any_email(trimmed), "{:?}", raw);
            }
        }

        /// E3, E6: phones as the reference writes them.
        #[test]
        fn phones_normalise_as_the_reference(
            raw in "[ +0-9()/.\\-a]{0,22}",
            shaped in " ?(\\+|00)?0?[0-9]{5,16} ?",
            code in prop_oneof![Just(0u32), 1u32..1000],
        ) {
            for raw in [raw, shaped] {
                prop_assert_eq!(normalize_phone(&raw, code), phone_reference(&raw, code));
            }
        }
    }

    #[test]
    fn e3_emails_match_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Dana@Example.COM "),
            Some("dana@example.com".into())
        );
        assert_eq!(
            normalize_email("élise@exemple.fr"),
            Some("élise@exemple.fr".into())
        );
    }

    #[test]
    fn e6_malformed_emails_are_unusable() {
        for bad in [
            "bob(at)example",
            "a@b",
            "@x.com",
            "a@@x.com",
            "a b@x.com",
            "a@x..com",
            "",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn e3_phones_normalise_to_e164_with_default_region() {
        assert_eq!(
            normalize_phone("+82 10-1234-5678", 1),
            Some("+821012345678".into())
        );
        assert_eq!(
            normalize_phone("01 23 45 67 89", 33),
            Some("+33123456789".into())
        );
        assert_eq!(
            normalize_phone("0033 1 23 45 67 89", 1),
            Some("+33123456789".into())
        );
        assert_eq!(
            normalize_phone("(415) 555-0100", 1),
            Some("+14155550100".into())
        );
    }

    #[test]
    fn e6_malformed_phones_are_unusable() {
        for bad in ["call me", "+12", "+1234567890123456", "12ab34", ""] {
            assert_eq!(normalize_phone(bad, 33), None, "{bad}");
        }
    }
}
