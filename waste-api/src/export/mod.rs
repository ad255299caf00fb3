//! Tables for download: CSV and XLSX writers of one typed table, with column headings in Chinese as HJ 1259-2022
//! names them and English beside them. Text a spreadsheet would read as a formula is neutralised in both.

pub mod records;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::borrow::Cow;

/// A column heading: Chinese (as the standard names it) and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Column {
    /// The heading as written: `批次编码 (batch code)`.
    pub fn heading(&self) -> String {
        format!("{} ({})", self.zh, self.en)
    }
}

/// One cell. Decimals stay exact in CSV and become numbers in XLSX (so a spreadsheet can sum them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(Decimal),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Self {
        s.map_or(Cell::Empty, Cell::Text)
    }
}
impl From<Decimal> for Cell {
    fn from(d: Decimal) -> Self {
        Cell::Number(d)
    }
}
impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Number(Decimal::from(n))
    }
}

/// A sheet: a name, its columns and its rows (each row as long as `columns`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Sheet name in XLSX (at most 31 characters, no `[]:*?/\`).
    pub name: &'static str,
    pub columns: &'static [Column],
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// A `Content-Disposition` for a download named in the reader's words (`台账-长春市第一中学-2026-01-01至2026-12-07.csv`):
/// the name in UTF-8 (RFC 6266, RFC 8187) with an ASCII name for clients that read only that. Characters a file
/// system refuses (`/ \ : * ? " < > |`, controls) become `_`.
pub fn disposition(name: &str, ascii: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_control() || "/\\:*?\"<>|".contains(c) {
                    '_'
                } else {
                    c
                }
            })
            .collect()
    };
    let name = clean(name);
    let ascii: String = clean(ascii)
        .chars()
        .map(|c| if c.is_ascii() && c != '%' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first, or a tab or carriage return
/// that some import as a cell break before one) gets a leading apostrophe, so it stays text when opened or
/// edited (OWASP "CSV injection").
pub fn neutralise(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// The text of a cell as CSV writes it (and as XLSX holds a text cell).
fn cell_text(c: &Cell) -> Cow<'_, str> {
    match c {
        Cell::Text(s) => neutralise(s),
        Cell::Number(d) => Cow::Owned(d.normalize().to_string()),
        Cell::Empty => Cow::Borrowed(""),
    }
}

/// CSV in UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese headings right; one header row.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(table.columns.iter().map(Column::heading))?;
        for row in &table.rows {
            w.write_record(row.iter().map(|c| cell_text(c).into_owned()))?;
        }
        w.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}

/// An XLSX workbook, built in memory, with one sheet per table: a bold, frozen header row.
pub fn to_xlsx(tables: &[&Table]) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    // The apostrophe is in the value already; the quote prefix keeps Excel from re-reading it on edit too.
    let text = Format::new().set_quote_prefix();
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.name)?;
        for (col, c) in table.columns.iter().enumerate() {
            let col = col as u16;
            sheet.write_string_with_format(0, col, c.heading(), &bold)?;
            sheet.set_column_width(
                col,
                (c.heading().chars().count() as f64 * 1.2).clamp(10.0, 40.0),
            )?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (i, row) in table.rows.iter().enumerate() {
            let r = (i + 1) as u32;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string_with_format(r, col, neutralise(s), &text)?;
                    }
                    Cell::Number(d) => match d.to_f64() {
                        Some(f) => {
                            sheet.write_number(r, col, f)?;
                        }
                        None => {
                            sheet.write_string(r, col, d.to_string())?;
                        }
                    },
                    Cell::Empty => {}
                }
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn a_download_is_named_in_utf8_with_an_ascii_fallback() {
        let d = disposition("台账-一中/东校-2026.csv", "ledger-2026.csv");
        assert_eq!(
            d,
            "attachment; filename=\"ledger-2026.csv\"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6-%E4%B8%80%E4%B8%AD_%E4%B8%9C%E6%A0%A1-2026.csv"
        );
        // Nothing in the fallback can end the quoted string or smuggle a header.
        let d = disposition("a\"\r\nb", "x\"y\u{7}");
        assert!(!d.contains('\r') && !d.contains('\n'), "{d}");
        assert!(d.starts_with("attachment; filename=\"x_y_\";"), "{d}");
    }

    const COLUMNS: &[Column] = &[
        Column {
            zh: "产生部门",
            en: "lab",
        },
        Column {
            zh: "数量（吨）",
            en: "quantity (t)",
        },
        Column {
            zh: "备注",
            en: "note",
        },
    ];

    fn table() -> Table {
        let d = |s: &str| Cell::Number(Decimal::from_str(s).expect("decimal"));
        Table {
            name: "台账 ledger",
            columns: COLUMNS,
            rows: vec![
                vec!["B-304 化学实验室".into(), d("0.0025"), Cell::Empty],
                vec![
                    "=HYPERLINK(\"http://x.invalid\",\"click\")".into(),
                    d("12.5"),
                    "含逗号, 引号\" 和换行\n的备注".into(),
                ],
                vec!["+1+1".into(), d("0"), "-2".into()],
                vec!["@SUM(A1)".into(), d("1"), "\tTAB".into()],
            ],
        }
    }

    /// What every cell must read back as, from CSV and from XLSX alike.
    fn expected() -> Vec<Vec<String>> {
        vec![
            vec!["B-304 化学实验室".into(), "0.0025".into(), "".into()],
            vec![
                "'=HYPERLINK(\"http://x.invalid\",\"click\")".into(),
                "12.5".into(),
                "含逗号, 引号\" 和换行\n的备注".into(),
            ],
            vec!["'+1+1".into(), "0".into(), "'-2".into()],
            vec!["'@SUM(A1)".into(), "1".into(), "'\tTAB".into()],
        ]
    }

    #[test]
    fn formula_looking_text_is_neutralised() {
        for s in ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"] {
            assert_eq!(neutralise(s), format!("'{s}"));
        }
        for s in ["B-304", "1-2", "a=b", "", "'=already"] {
            assert_eq!(neutralise(s), s);
        }
    }

    #[test]
    fn csv_parses_back_with_the_same_rows_and_bilingual_headings() {
        let bytes = to_csv(&table()).expect("csv");
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "UTF-8 BOM for spreadsheet programs"
        );
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        let headers: Vec<String> = r
            .headers()
            .expect("headers")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            headers,
            ["产生部门 (lab)", "数量（吨） (quantity (t))", "备注 (note)"]
        );
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.expect("row").iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows, expected());
    }

    #[test]
    fn xlsx_reads_back_with_the_same_rows() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = to_xlsx(&[&table()]).expect("xlsx");
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("opens");
        assert_eq!(book.sheet_names(), ["台账 ledger"]);
        let range = book.worksheet_range("台账 ledger").expect("sheet");
        let mut rows = range.rows();
        let headers: Vec<String> = rows
            .next()
            .expect("header row")
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            headers,
            ["产生部门 (lab)", "数量（吨） (quantity (t))", "备注 (note)"]
        );
        let body: Vec<Vec<String>> = rows
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        // Numbers come back as floats: compare them as decimals.
                        Data::Float(f) => Decimal::try_from(*f)
                            .expect("finite")
                            .normalize()
                            .to_string(),
                        Data::Int(i) => i.to_string(),
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => panic!("unexpected cell {other:?}"),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(body, expected());
    }
}
