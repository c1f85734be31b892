//! The CSV export (X1): UTF-8 with a byte-order mark, RFC 4180 quoting, CRLF lines.
//! A cell a spreadsheet would read as a formula gets a leading `'` (T9).

use std::io::Write;

use super::{COMMENT_HEADER, CommentRecord, comment_fields};
use crate::error::{Error, Result};

/// UTF-8 byte-order mark: spreadsheets then read Korean and accents right.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// A CSV export being written: the BOM and the header first, then one row per comment.
pub(crate) struct CsvExport<W: Write> {
    out: ::csv::Writer<W>,
    single_location: bool,
    rows: u64,
}

impl<W: Write> CsvExport<W> {
    /// Writes the BOM and the header row.
    pub(crate) fn start(mut out: W, single_location: bool) -> Result<Self> {
        out.write_all(BOM)?;
        let mut out = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out);
        out.write_record(COMMENT_HEADER).map_err(csv_error)?;
        Ok(CsvExport {
            out,
            single_location,
            rows: 0,
        })
    }

    /// Writes one comment's row.
    pub(crate) fn row(&mut self, r: &CommentRecord) -> Result<()> {
        self.out
            .write_record(comment_fields(r, self.single_location).map(defused))
            .map_err(csv_error)?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes the output; returns the number of comment rows.
    pub(crate) fn finish(mut self) -> Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

/// First characters that make a spreadsheet read a cell as a formula (OWASP "CSV
/// injection"): `=`, `+`, `-`, `@`, tab and carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell with a leading `'` when it starts like a formula (T9), so customer text
/// such as `=HYPERLINK(...)` is shown as text, never run. Applied to every column: the
/// ones hearken computes (dates, ids) never start so.
fn defused(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn csv_error(e: ::csv::Error) -> Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => Error::Io(io),
        other => Error::Internal(format!("csv export: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t9_formula_starts_get_a_leading_quote_other_text_is_kept() {
        for p in ["=", "+", "-", "@", "\t", "\r"] {
            assert_eq!(defused(format!("{p}1+1")), format!("'{p}1+1"));
        }
        assert_eq!(defused("a=1".into()), "a=1");
        assert_eq!(defused(" =1".into()), " =1");
        assert_eq!(defused(String::new()), "");
        assert_eq!(defused("'quoted".into()), "'quoted");
    }

    #[test]
    fn x1_bom_header_and_quoted_comment() {
        let mut buf = Vec::new();
        let mut w = CsvExport::start(&mut buf, true).unwrap();
        w.row(&CommentRecord {
            at_ms: 0,
            conversation: 1,
            comment: 1,
            transaction: None,
            customer: None,
            customer_name: None,
            customer_reference: None,
            channel: "receipt".into(),
            location: "Paris".into(),
            author: "customer".into(),
            sentiment: "positive".into(),
            facets_json: "[]".into(),
            body: "a, \"b\"\nc".into(),
        })
        .unwrap();
        assert_eq!(w.finish().unwrap(), 1);
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("\u{feff}Date,Time,Conversation ID,"));
        assert!(text.ends_with(",receipt,,customer,positive,,\"a, \"\"b\"\"\nc\"\r\n"));
    }
}
