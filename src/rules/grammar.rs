//! Texts as a native speaker writes them (M3): Korean particles chosen by the last sound
//! of the word they follow, French elision before a vowel, and counts that agree in number.
//!
//! Pure functions over strings; the templates ([`super::template`]) and every text hearken
//! writes with a name or a count in it call them.

/// How a word ends, as far as a Korean particle cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A vowel (no final consonant, 받침): 카페 → 를, 가, 는, 와, 로.
    Vowel,
    /// The final consonant ㄹ: like a consonant, except that 으로 becomes 로 (서울 → 서울로).
    Rieul,
    /// Any other final consonant: 매장 → 을, 이, 은, 과, 으로.
    Consonant,
}

/// The last sound of `word`: Hangul by its final consonant (받침), digits as they are read
/// in Sino-Korean (1 일, 3 삼 …), Latin letters by how a Korean reads the loanword (see
/// [`latin_ending`]). Trailing spaces, punctuation and closing brackets are skipped; a word
/// with no letter or digit counts as ending in a vowel.
pub fn ending(word: &str) -> Ending {
    let mut letters = word
        .chars()
        .rev()
        .skip_while(|c| !c.is_alphanumeric())
        .peekable();
    let Some(last) = letters.next() else {
        return Ending::Vowel;
    };
    if ('\u{ac00}'..='\u{d7a3}').contains(&last) {
        return match (u32::from(last) - 0xac00) % 28 {
            0 => Ending::Vowel,
            8 => Ending::Rieul,
            _ => Ending::Consonant,
        };
    }
    match last {
        // 영 일 이 삼 사 오 육 칠 팔 구.
        '0' | '3' | '6' => Ending::Consonant,
        '1' | '7' | '8' => Ending::Rieul,
        '2' | '4' | '5' | '9' => Ending::Vowel,
        c if c.is_alphabetic() => {
            let before = letters.next();
            latin_ending(c, before)
        }
        _ => Ending::Vowel,
    }
}

/// The ending of a word in Latin letters, from its last letter (and the one before it):
/// `l` reads ㄹ (Mall 몰); `m`, `n`, `ng` and the stops `b`, `d`, `g`, `k`, `p`, `t` after
/// a vowel read as a final consonant (Shop 숍, Market 마켓); everything else, a silent `e`
/// and a final `r` included, reads as a vowel (Atelier 아틀리에, Café 카페, Center 센터).
pub fn latin_ending(last: char, before: Option<char>) -> Ending {
    let last = fold_accent(last.to_lowercase().next().unwrap_or(last));
    let before = before.map(|b| fold_accent(b.to_lowercase().next().unwrap_or(b)));
    let after_vowel = before.is_some_and(|b| "aeiouy".contains(b));
    match last {
        'l' => Ending::Rieul,
        'm' | 'n' => Ending::Consonant,
        'g' if before == Some('n') => Ending::Consonant,
        'b' | 'd' | 'g' | 'k' | 'p' | 't' if after_vowel => Ending::Consonant,
        _ => Ending::Vowel,
    }
}

/// A Latin letter without its accent (é → e), for the rules above and elision.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' | 'ì' => 'i',
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ÿ' | 'ý' => 'y',
        other => other,
    }
}

/// The Korean particles that change with the word before them: (after a consonant, after a
/// vowel). 으로/로 is special: ㄹ takes 로.
const PARTICLES: [(&str, &str); 5] = [
    ("을", "를"),
    ("이", "가"),
    ("은", "는"),
    ("과", "와"),
    ("으로", "로"),
];

/// The form of a particle pair (named by either form: 을 or 를, 으로 or 로 …) that follows
/// `word`; `None` for a particle that does not change.
pub fn ko_particle(word: &str, particle: &str) -> Option<&'static str> {
    let (after_consonant, after_vowel) = PARTICLES
        .iter()
        .find(|(c, v)| *c == particle || *v == particle)?;
    Some(match (ending(word), *after_consonant) {
        (Ending::Consonant, _) => after_consonant,
        (Ending::Rieul, "으로") => after_vowel,
        (Ending::Rieul, _) => after_consonant,
        (Ending::Vowel, _) => after_vowel,
    })
}

/// The ways a template writes "whichever particle fits" right after a placeholder:
/// `을(를)`, `를(을)`, `(을)를`, `이(가)`, `가(이)`, `(이)가`, `은(는)`, `는(은)`, `(은)는`,
/// `과(와)`, `와(과)`, `(과)와`, `(으)로`, `으로(로)`, `로(으로)`, and the slash forms `을/를` ….
/// Returns (the pair's name, the length of the notation in bytes).
pub fn ko_particle_notation(text: &str) -> Option<(&'static str, usize)> {
    // Every notation starts with `(` or a Hangul syllable: most text after a placeholder
    // is left at once. Called for each text piece of every rendering (claim renders each
    // message), so it allocates nothing.
    let first = text.chars().next()?;
    if first != '(' && !('\u{AC00}'..='\u{D7A3}').contains(&first) {
        return None;
    }
    for (c, v) in PARTICLES {
        let short = if c == "으로" { "으" } else { c };
        let forms: [[&str; 4]; 6] = [
            [c, "(", v, ")"],
            [v, "(", c, ")"],
            ["(", short, ")", v],
            ["(", c, ")", v],
            [c, "/", v, ""],
            [v, "/", c, ""],
        ];
        for form in forms {
            let mut rest = text;
            let matched = form.iter().all(|part| match rest.strip_prefix(part) {
                Some(r) => {
                    rest = r;
                    true
                }
                None => false,
            });
            if matched {
                return Some((c, text.len() - rest.len()));
            }
        }
    }
    None
}

/// Whether a French word elides before `next` (starts with a vowel). An `h` never elides
/// here: hearken cannot tell an h muet (d'Hélène) from an h aspiré (de Hollande) in a
/// name, and "de H…" is never wrong the way "de Atelier" is. A `y` before a consonant is a
/// vowel (d'Yves), before a vowel a consonant (de Yasmine).
pub fn fr_starts_with_vowel(next: &str) -> bool {
    let mut chars = next
        .chars()
        .map(|c| fold_accent(c.to_lowercase().next().unwrap_or(c)));
    match chars.next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'æ' | 'œ') => true,
        Some('y') => chars
            .next()
            .is_some_and(|c| c.is_alphabetic() && !"aeiou".contains(c)),
        _ => false,
    }
}

/// The French words that elide (de → d', que → qu' …), lower case.
const ELIDING: [&str; 8] = ["de", "que", "le", "la", "ne", "je", "jusque", "lorsque"];

/// When `text` ends with an eliding word and a space (`… au sujet de `) and `next` starts
/// with a vowel, the text with that word elided (`… au sujet d'`); else `None`.
pub fn fr_elide(text: &str, next: &str) -> Option<String> {
    let (start, elided) = fr_elision(text, next)?;
    Some(format!("{}{elided}", &text[..start]))
}

/// [`fr_elide`] in two parts: where the eliding word starts in `text` (a byte offset),
/// and what replaces the word and its space (`d'`). The apostrophe is the language's, not
/// the template's: an HTML part escapes it (M4).
pub fn fr_elision(text: &str, next: &str) -> Option<(usize, String)> {
    if !fr_starts_with_vowel(next) {
        return None;
    }
    let stem = text.strip_suffix(' ')?;
    let start = stem
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map(|(i, _)| i)?;
    let word = &stem[start..];
    if !ELIDING.contains(&word.to_lowercase().as_str()) {
        return None;
    }
    let before = &stem[..start];
    if before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '\'')
    {
        return None;
    }
    // Keep the word's case: "De" → "D'", "QUE" → "QU'".
    let kept = &word[..word.len() - 1];
    Some((start, format!("{kept}'")))
}

/// `n` with the noun in the right number for `language`: English singular for exactly 1;
/// French singular for 0 and 1 (« 0 passif », « 1 passif », « 2 passifs »); Korean has one
/// form (`one` is used). Any other language follows English.
pub fn count(language: &str, n: u64, one: &str, other: &str) -> String {
    let primary = language.split(['-', '_']).next().unwrap_or(language);
    let singular = match primary.to_ascii_lowercase().as_str() {
        "ko" | "ja" | "zh" => true,
        "fr" => n <= 1,
        _ => n == 1,
    };
    format!("{n} {}", if singular { one } else { other })
}

/// English [`count`]: "1 passive", "2 passives".
pub fn en_count(n: u64, one: &str, other: &str) -> String {
    count("en", n, one, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m3_korean_particles_follow_the_final_consonant() {
        // (word, 을/를, 이/가, 은/는, 과/와, 으로/로)
        let table = [
            ("매장", "을", "이", "은", "과", "으로"),
            ("카페", "를", "가", "는", "와", "로"),
            ("서울점", "을", "이", "은", "과", "으로"),
            ("서울", "을", "이", "은", "과", "로"),
            ("Café Élodie", "를", "가", "는", "와", "로"),
            ("Atelier", "를", "가", "는", "와", "로"),
            ("Apple Mall", "을", "이", "은", "과", "로"),
            ("Bike Shop", "을", "이", "은", "과", "으로"),
            ("매장 2", "를", "가", "는", "와", "로"),
            ("강남 1호점 (본점)", "을", "이", "은", "과", "으로"),
            ("Store 7", "을", "이", "은", "과", "로"),
        ];
        for (word, a, b, c, d, e) in table {
            let got: Vec<_> = ["을", "가", "은", "와", "로"]
                .iter()
                .map(|p| ko_particle(word, p).unwrap())
                .collect();
            assert_eq!(got, [a, b, c, d, e], "{word}");
        }
        assert_eq!(ko_particle("매장", "에"), None);
    }

    #[test]
    fn m3_particle_notations_are_recognised() {
        assert_eq!(
            ko_particle_notation("을(를) 이용해"),
            Some(("을", "을(를)".len()))
        );
        assert_eq!(
            ko_particle_notation("(으)로 오세요"),
            Some(("으로", "(으)로".len()))
        );
        assert_eq!(ko_particle_notation("이/가"), Some(("이", "이/가".len())));
        assert_eq!(ko_particle_notation("는(은)"), Some(("은", "는(은)".len())));
        assert_eq!(ko_particle_notation("에 대한"), None);
        assert_eq!(ko_particle_notation("이용해"), None);
    }

    #[test]
    fn m3_french_elision_before_a_vowel_only() {
        assert_eq!(
            fr_elide("au sujet de ", "Atelier").as_deref(),
            Some("au sujet d'")
        );
        assert_eq!(
            fr_elide("au sujet de ", "Élodie").as_deref(),
            Some("au sujet d'")
        );
        assert_eq!(
            fr_elide("Bien plus que ", "Yves").as_deref(),
            Some("Bien plus qu'")
        );
        assert_eq!(fr_elide("De ", "Orsay").as_deref(), Some("D'"));
        assert_eq!(fr_elide("au sujet de ", "Boutique Paris"), None);
        assert_eq!(
            fr_elide("au sujet de ", "Hélène"),
            None,
            "h is never elided"
        );
        assert_eq!(fr_elide("au sujet de ", "Yasmine"), None);
        assert_eq!(fr_elide("monde ", "Atelier"), None, "only whole words");
        assert_eq!(fr_elide("au sujet de", "Atelier"), None, "needs the space");
        assert_eq!(fr_elide("chez ", "Atelier"), None);
    }

    #[test]
    fn m3_counts_agree_in_number() {
        assert_eq!(en_count(1, "passive", "passives"), "1 passive");
        assert_eq!(en_count(2, "passive", "passives"), "2 passives");
        assert_eq!(en_count(0, "passive", "passives"), "0 passives");
        assert_eq!(count("fr", 0, "passif", "passifs"), "0 passif");
        assert_eq!(count("fr-CA", 1, "passif", "passifs"), "1 passif");
        assert_eq!(count("fr", 2, "passif", "passifs"), "2 passifs");
        assert_eq!(count("ko", 2, "명", "명"), "2 명");
    }
}
