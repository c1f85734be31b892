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
    let email = raw.trim().to_lowercase();
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return None;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return None;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    well_formed.then_some(email)
}

/// The E.164 form of a phone number, reading local numbers with `default_country_code`.
pub fn normalize_phone(raw: &str, default_country_code: u32) -> Option<String> {
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
    if !international {
        // A local number: drop the trunk prefix and prepend the store's country code.
        let national = digits.strip_prefix('0').unwrap_or(&digits);
        if national.is_empty() || default_country_code == 0 {
            return None;
        }
        digits = format!("{default_country_code}{national}");
    }
    let ok = (8..=15).contains(&digits.len()) && !digits.starts_with('0');
    ok.then(|| format!("+{digits}"))
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
