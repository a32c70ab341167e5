//! Numbers in tables whose caption gives the unit: yearbooks and reports print a series as
//!
//! ```text
//! Table 2. Labour transfer from Qiandongnan, 2017-2020 (persons)
//! Year    Total transferred    of which to Zhejiang
//! 2017         9,800                  2,100
//! ```
//!
//! A caption is a line starting with a `table-caption` cue (表, Table, Tableau, Bảng) and giving a
//! unit, in brackets at its end or after a `unit-label` cue and a colon (单位：万元), there or on a
//! header line. The table's rows follow it, after at most two header lines: cells apart by a tab,
//! an ideographic space or two spaces or more; the first cell is a year or a label (合计, Total),
//! every other one a number and nothing else. The first line that is no such row ends the table.
//! Which cells are outcomes, and of what, the caller decides from the caption's words.

use crate::knowledge::{CueKind, Knowledge};
use crate::numbers::QuantityReader;
use std::ops::Range;

/// One number of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableCell {
    /// View range of the table's caption line.
    pub caption: Range<usize>,
    /// View range of the caption and the header lines: where the words that say what the
    /// numbers measure stand.
    pub heading: Range<usize>,
    /// View range of the row the cell stands in.
    pub row: Range<usize>,
    /// View range of the cell heading the column, on the header line right above the first row,
    /// when that line has a cell for each column ("Năm  Tây Ninh  Hải Đông").
    pub column: Option<Range<usize>>,
    /// The cell's number with the caption's multiplier applied (98 in "triệu NDT" is 98 000 000).
    pub value: f64,
    /// Index into `Knowledge::concepts` of the unit.
    pub unit: usize,
    /// The row's year, when its first cell is one.
    pub year: Option<i32>,
}

/// Header lines allowed between a caption and the first row.
const MAX_HEADER_LINES: usize = 2;

/// Every number of the captioned tables of `view`. `comma_decimal(caption)` says whether the
/// language of a caption writes 3,5 for 3.5.
pub fn table_cells(
    view: &str,
    k: &Knowledge,
    reader: &QuantityReader,
    comma_decimal: impl Fn(Range<usize>) -> bool,
) -> Vec<TableCell> {
    let captions = k.folded_cues(CueKind::TableCaption);
    let unit_labels = k.folded_cues(CueKind::UnitLabel);
    let mut lines = Vec::new();
    let mut at = 0;
    for line in view.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        lines.push(at..at + body.len());
        at += line.len();
    }
    let mut cells = Vec::new();
    let mut next = 0;
    while next < lines.len() {
        let caption = lines[next].clone();
        next += 1;
        if !starts_with_caption(&view[caption.clone()], captions) {
            continue;
        }
        let comma_decimal = comma_decimal(caption.clone());
        let mut unit = bracketed_unit(&view[caption.clone()], reader)
            .or_else(|| labelled_unit(&view[caption.clone()], unit_labels, reader));
        let mut heading = caption.clone();
        let mut headers = 0;
        let mut last_header: Option<Range<usize>> = None;
        let mut rows = Vec::new();
        while let Some(line) = lines.get(next) {
            let text = &view[line.clone()];
            match row_cells(text, comma_decimal) {
                // A header of years ("类别  2019  2020") reads as a row of numbers.
                Some((_, values))
                    if rows.is_empty() && values.iter().all(|&v| as_year(v).is_some()) =>
                {
                    headers += 1;
                    heading.end = line.end;
                    last_header = Some(line.clone());
                }
                Some(row) => rows.push((line.clone(), row)),
                None if rows.is_empty()
                    && headers < MAX_HEADER_LINES
                    && !text.trim().is_empty() =>
                {
                    headers += 1;
                    heading.end = line.end;
                    last_header = Some(line.clone());
                    unit = unit.or_else(|| labelled_unit(text, unit_labels, reader));
                }
                None => break,
            }
            next += 1;
        }
        let Some((multiplier, unit)) = unit else {
            continue;
        };
        let columns: Vec<Range<usize>> = last_header
            .map(|line| {
                split_cells(&view[line.clone()])
                    .into_iter()
                    .map(|cell| line.start + cell.start..line.start + cell.end)
                    .collect()
            })
            .unwrap_or_default();
        for (row, (year, values)) in rows {
            // A header with a cell for the first column too, or only for the numbers.
            let skip = columns.len().checked_sub(values.len()).filter(|&s| s <= 1);
            cells.extend(values.into_iter().enumerate().map(|(i, value)| {
                let column = skip.map(|s| columns[s + i].clone());
                // A row without a year (合计, a category) takes the year heading its column.
                let column_year = || {
                    let heading = column.as_ref()?;
                    as_year(QuantityReader::number_alone(&view[heading.clone()], false)?)
                };
                TableCell {
                    caption: caption.clone(),
                    heading: heading.clone(),
                    row: row.clone(),
                    year: year.or_else(column_year),
                    column,
                    value: value * multiplier,
                    unit,
                }
            }));
        }
    }
    cells
}

/// A number that can be a year of the programme.
fn as_year(value: f64) -> Option<i32> {
    (value.fract() == 0.0 && (1949.0..=2100.0).contains(&value)).then_some(value as i32)
}

/// A line starting with a caption word and a number ("表1", "Table 2.", "Bảng 1"; not "表示",
/// nor "Bằng cách…", which folds to the same letters as Bảng).
fn starts_with_caption(line: &str, captions: &[String]) -> bool {
    let line = line.trim_start();
    captions.iter().any(|caption| {
        line.strip_prefix(caption.as_str())
            .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// The unit in brackets at the end of a caption: "… 2017-2020 (persons)", "（万元）".
fn bracketed_unit(caption: &str, reader: &QuantityReader) -> Option<(f64, usize)> {
    let inner = caption.trim_end().strip_suffix([')', '）'])?;
    let open = inner.rfind(['(', '（'])?;
    let open_len = inner[open..].chars().next().map_or(1, char::len_utf8);
    reader.unit_alone(&inner[open + open_len..])
}

/// The unit after a unit label and a colon: "单位：万元", "Unit: persons", "(Đơn vị: triệu NDT)".
fn labelled_unit(line: &str, labels: &[String], reader: &QuantityReader) -> Option<(f64, usize)> {
    labels.iter().find_map(|label| {
        line.match_indices(label.as_str()).find_map(|(at, _)| {
            // A Latin label is a word of its own ("Unit:", not "Community").
            let latin = label.starts_with(|c: char| c.is_ascii_alphanumeric());
            if latin && line[..at].ends_with(|c: char| c.is_alphanumeric()) {
                return None;
            }
            let after = line[at + label.len()..]
                .trim_start()
                .strip_prefix([':', '：'])?;
            let unit = after
                .split(['(', ')', '（', '）', '\t', ',', '，', ';', '；'])
                .next()
                .unwrap_or_default();
            reader.unit_alone(unit.split("  ").next().unwrap_or_default())
        })
    })
}

/// The cells of a table row: its year (if its first cell is one, as 2017 or 2017年) and its
/// numbers.
fn row_cells(line: &str, comma_decimal: bool) -> Option<(Option<i32>, Vec<f64>)> {
    let cells: Vec<&str> = split_cells(line).into_iter().map(|c| &line[c]).collect();
    let (first, numbers) = cells.split_first()?;
    if numbers.is_empty() {
        return None;
    }
    let values: Vec<f64> = numbers
        .iter()
        .map(|cell| QuantityReader::number_alone(cell, comma_decimal))
        .collect::<Option<_>>()?;
    let first = first.strip_suffix('年').unwrap_or(first);
    let year = match first.parse::<i32>() {
        Ok(year) if first.len() == 4 && (1949..=2100).contains(&year) => Some(year),
        // A number that is no year leaves the row's meaning open.
        Ok(_) => return None,
        Err(_) if first.contains(|c: char| c.is_ascii_digit()) => return None,
        Err(_) => None,
    };
    Some((year, values))
}

/// The byte ranges of a line's cells: apart by a tab, an ideographic space or two spaces or more.
fn split_cells(line: &str) -> Vec<Range<usize>> {
    let mut cells = Vec::new();
    let mut start = None;
    let mut gap: Option<(usize, usize)> = None;
    for (at, c) in line.char_indices() {
        if c.is_whitespace() {
            let width = if matches!(c, '\t' | '\u{3000}') { 2 } else { 1 };
            let (from, wide) = gap.unwrap_or((at, 0));
            gap = Some((from, wide + width));
            continue;
        }
        match (start, gap.take()) {
            (None, _) => start = Some(at),
            (Some(from), Some((gap_start, width))) if width >= 2 => {
                cells.push(from..gap_start);
                start = Some(at);
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        let end = gap.map_or(line.len(), |(gap_start, _)| gap_start);
        cells.push(from..end);
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::split_cells;

    fn cells(line: &str) -> Vec<&str> {
        split_cells(line).into_iter().map(|c| &line[c]).collect()
    }

    #[test]
    fn cells_are_apart_by_tabs_or_wide_gaps() {
        assert_eq!(
            cells("2017         9,800\t2,100"),
            ["2017", "9,800", "2,100"]
        );
        assert_eq!(
            cells("Total transferred 9 800"),
            ["Total transferred 9 800"]
        );
        assert_eq!(cells("　合计　607　1.353 "), ["合计", "607", "1.353"]);
    }
}
