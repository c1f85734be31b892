//! The CSV export (X1): UTF-8 with a byte-order mark, RFC 4180 quoting, CRLF lines.

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
            .write_record(comment_fields(r, self.single_location))
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
