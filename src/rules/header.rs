//! Header-like fields of an outgoing message (T11): a subject, a recipient, a reply-to, a
//! link a host may put in `List-Unsubscribe` never hold a line break or another control
//! character, so a host can hand them to a mail or SMS gateway as they are.

/// Whether `c` may not appear in a header-like field: C0 controls, DEL, C1 controls, and
/// the Unicode line and paragraph separators (U+2028, U+2029).
pub fn is_breaking(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// `s` as a header-like field: each run of [`is_breaking`] characters becomes one space,
/// then the whole is trimmed.
pub fn clean(s: &str) -> String {
    if !s.chars().any(is_breaking) && s.trim() == s {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut in_run = false;
    for c in s.chars() {
        if is_breaking(c) {
            if !in_run {
                out.push(' ');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out.trim().to_owned()
}

/// Whether a name holds a character [`clean`] would replace (refused by the setters, T11).
pub fn has_breaking(s: &str) -> bool {
    s.chars().any(is_breaking)
}

/// T11: why a name (of a location, a user, an employee) is refused, if it is: it holds a
/// line break or another control character that could reach a message's header.
pub fn name_problem(name: &str) -> Option<&'static str> {
    has_breaking(name).then_some("contains line breaks or control characters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t11_each_run_of_control_characters_becomes_one_space_then_the_field_is_trimmed() {
        assert_eq!(clean("Café Paris"), "Café Paris");
        assert_eq!(clean("a\r\nBcc: x@evil"), "a Bcc: x@evil");
        assert_eq!(clean("a\u{2028}b\u{2029}\u{2029}c"), "a b c");
        assert_eq!(clean("a\u{85}b\u{9b}\u{7f}c"), "a b c");
        assert_eq!(clean("\u{0}\ta \u{1b}[31m b\n"), "a  [31m b");
        assert_eq!(clean("  서울점  "), "서울점");
        assert!(has_breaking("x\u{2028}"));
        assert!(!has_breaking("김민준 é"));
    }
}
