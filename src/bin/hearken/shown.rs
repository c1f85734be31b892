//! T6: the one function every human-readable line of the CLI goes through. Data from the
//! store (names, ids, comments) can hold terminal escapes (ESC), C1 controls (U+0085 …)
//! or bidi overrides (U+202E …) that would rewrite or reorder what the operator sees;
//! they are shown as `\u{…}` escapes instead. Korean, accents and emoji print as they are.
//! `--json` output goes through [`json`]: serde_json escapes C0 controls, and DEL, C1 and
//! bidi controls are escaped there as `\uXXXX` too (valid JSON, the same string).

/// Whether `c` must not reach the terminal as is.
fn is_hazard(c: char) -> bool {
    c.is_control() // C0, DEL and C1 (U+0080–U+009F, U+0085 included)
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every control and bidi control escaped, line breaks included (table cells).
pub fn cell(s: &str) -> String {
    escape(s, false)
}

/// `s` with every control and bidi control escaped except its line breaks (whole texts).
pub fn text(s: &str) -> String {
    escape(s, true)
}

/// A JSON document with DEL, C1 and bidi controls written as `\uXXXX` escapes. They can
/// only occur inside strings (JSON's structure is ASCII), where the escape means the same.
pub fn json(s: &str) -> String {
    if !s.chars().any(is_hazard) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hazard(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn escape(s: &str, keep_newlines: bool) -> String {
    if !s.chars().any(is_hazard) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if keep_newlines && c == '\n' {
            out.push(c);
        } else if is_hazard(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t6_controls_and_bidi_overrides_are_escaped_korean_and_accents_are_not() {
        assert_eq!(cell("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(
            cell("x\u{202e}y\u{85}z\u{7f}"),
            "x\\u{202e}y\\u{85}z\\u{7f}"
        );
        assert_eq!(cell("l1\nl2"), "l1\\u{a}l2");
        assert_eq!(text("l1\nl2\u{2066}"), "l1\nl2\\u{2066}");
        assert_eq!(cell("김민준 Amélie 👍"), "김민준 Amélie 👍");
        let doc = json("{\"n\":\"a\u{202e}b\u{85}\"}");
        assert_eq!(doc, "{\"n\":\"a\\u202eb\\u0085\"}");
        let back: String = serde_json::from_str::<serde_json::Value>(&doc).unwrap()["n"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(back, "a\u{202e}b\u{85}");
    }
}
