//! Aligned text tables for human output (display width aware: Korean names line up).

use unicode_width::UnicodeWidthStr;

/// A table: a header and rows of cells; numbers are right-aligned.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|h| crate::shown::cell(h)).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; every cell is shown through [`crate::shown::cell`] (T6).
    pub fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows
            .push(cells.iter().map(|c| crate::shown::cell(c)).collect());
    }

    /// The table as text, one line per row, columns two spaces apart.
    pub fn render(&self) -> String {
        let cols = self.header.len();
        let mut width = vec![0; cols];
        let mut numeric = vec![true; cols];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, cell) in row.iter().enumerate().take(cols) {
                width[i] = width[i].max(cell.width());
            }
        }
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(cols) {
                numeric[i] &= cell.is_empty() || is_number(cell);
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate().take(cols) {
                let pad = " ".repeat(width[i] - cell.width());
                if i > 0 {
                    line.push_str("  ");
                }
                if numeric[i] && !self.rows.is_empty() {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

fn is_number(s: &str) -> bool {
    s.trim_start_matches(['-', '+'])
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '%')
        && s.chars().any(|c| c.is_ascii_digit())
}
