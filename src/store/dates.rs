//! Dates as both stores keep them: `YYYY-MM-DD` text, the SQLite file's form, which the
//! PostgreSQL store mirrors.

use chrono::NaiveDate;

pub use crate::rules::time::date_text;

/// [`date_text`] of the last date asked, kept: the rows a night writes mostly carry one
/// business date, and each text was an allocation.
#[derive(Debug, Default)]
pub struct DateText {
    last: Option<(NaiveDate, String)>,
}

impl DateText {
    /// `d` as `YYYY-MM-DD`.
    pub fn of(&mut self, d: NaiveDate) -> &str {
        if self.last.as_ref().is_none_or(|(last, _)| *last != d) {
            self.last = Some((d, date_text(d)));
        }
        self.last.as_ref().map_or("", |(_, text)| text.as_str())
    }
}

/// Reads a date the stores keep (`YYYY-MM-DD`), what chrono's `%Y-%m-%d` reads; `None` when
/// `text` is not one. Ten bytes are read digit by digit (chrono's `parse_from_str` parses its
/// pattern for every date: about 1,000 instructions); anything else goes to chrono.
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (number(0..4), number(5..7), number(8..10))
    {
        return NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_date_text_is_each_dates_own() {
        let mut kept = DateText::default();
        for d in [
            "2026-11-23",
            "2026-11-23",
            "2026-11-24",
            "2026-11-23",
            "0001-01-01",
        ] {
            let d: NaiveDate = d.parse().unwrap();
            assert_eq!(kept.of(d), date_text(d));
        }
    }

    #[test]
    fn parse_date_text_reads_what_chrono_reads() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        for _ in 0..1200 {
            let text = date_text(d);
            assert_eq!(parse_date_text(&text), Some(d));
            d += chrono::TimeDelta::days(17);
        }
        for text in [
            "0000-01-01",
            "9999-12-31",
            "+10000-01-01",
            "2026-02-29",
            "2024-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-05",
            "2026-01-5",
            "20260105",
            "2026-01-0a",
            "2026/01/05",
            " 2026-01-05",
            "",
        ] {
            assert_eq!(
                parse_date_text(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn date_text_writes_what_chrono_writes() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        for _ in 0..1200 {
            assert_eq!(date_text(d), d.format("%Y-%m-%d").to_string());
            d += chrono::TimeDelta::days(17);
        }
        for (y, m, day) in [
            (0, 1, 1),
            (9, 2, 3),
            (999, 10, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 30),
        ] {
            let d = NaiveDate::from_ymd_opt(y, m, day).unwrap();
            assert_eq!(date_text(d), d.format("%Y-%m-%d").to_string());
        }
    }
}
