//! Reading SDMX-CSV text (RFC 4180 with a detected separator): the separator from the header, and
//! a record reader over the body that parses each quoted field once. The export writes its lines
//! with `api::http::csv::exchange_line`.

/// Separators a file may use; the one that follows `STRUCTURE` (or its `[...]` sub-field term) in
/// the header is the file's, a comma when none of these does.
const SEPARATORS: [char; 4] = [',', ';', '\t', '|'];

/// The separator of a file whose first line starts with `header`, or why the header is not one
/// of SDMX-CSV (its first column must be `STRUCTURE`).
pub fn separator(header: &str) -> Result<char, String> {
    let header = header.strip_prefix('\u{feff}').unwrap_or(header);
    let Some(rest) = header.strip_prefix("STRUCTURE") else {
        return Err("the first column of the header must be STRUCTURE (SDMX-CSV 2.0)".into());
    };
    // `STRUCTURE[;]` declares the sub-field separator of multi-valued cells; the field separator
    // is the character after that term.
    let rest = match rest.strip_prefix('[') {
        Some(term) => match term.find(']') {
            Some(end) => &term[end + 1..],
            None => return Err("the header's STRUCTURE[...] term is not closed".into()),
        },
        None => rest,
    };
    Ok(rest
        .chars()
        .next()
        .filter(|c| SEPARATORS.contains(c))
        .unwrap_or(','))
}

/// A record that could not be read, and how far to skip (the reader has already moved past it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// Reads records from SDMX-CSV text: fields split by the separator, quoted fields holding
/// separators, doubled quotes and line breaks; a line ends with LF or CRLF. Blank lines are
/// skipped. Each record is read once into its fields; nothing else of the text is copied.
pub struct Records<'a> {
    text: &'a str,
    pos: usize,
    separator: char,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str, separator: char) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Self {
            text,
            pos: 0,
            separator,
        }
    }

    /// Skips to the next line after a malformed record.
    fn skip_line(&mut self) {
        match self.text[self.pos..].find('\n') {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.text.len(),
        }
    }

    fn record(&mut self) -> Result<Vec<String>, Malformed> {
        let sep = self.separator;
        let mut fields = Vec::new();
        let rest = &self.text[self.pos..];
        let mut chars = rest.char_indices().peekable();
        let mut field = String::new();
        loop {
            // At the start of a field.
            match chars.peek().copied() {
                Some((_, '"')) => {
                    chars.next();
                    loop {
                        match chars.next() {
                            Some((_, '"')) => {
                                if chars.peek().is_some_and(|&(_, c)| c == '"') {
                                    chars.next();
                                    field.push('"');
                                } else {
                                    break;
                                }
                            }
                            Some((_, c)) => field.push(c),
                            None => {
                                self.pos = self.text.len();
                                return Err(Malformed(
                                    "a quoted field is not closed before the end of the file"
                                        .into(),
                                ));
                            }
                        }
                    }
                    match chars.peek().copied() {
                        None | Some((_, '\n')) => {}
                        Some((_, '\r')) => {}
                        Some((_, c)) if c == sep => {}
                        Some(_) => {
                            self.skip_line_from(rest, &mut chars);
                            return Err(Malformed(
                                "a quoted field must end at a separator or the end of the line"
                                    .into(),
                            ));
                        }
                    }
                }
                _ => {
                    while let Some(&(_, c)) = chars.peek() {
                        if c == sep || c == '\n' || c == '\r' {
                            break;
                        }
                        if c == '"' {
                            self.skip_line_from(rest, &mut chars);
                            return Err(Malformed(
                                "a quote inside an unquoted field (quote the whole field and double its quotes)".into(),
                            ));
                        }
                        field.push(c);
                        chars.next();
                    }
                }
            }
            fields.push(std::mem::take(&mut field));
            match chars.next() {
                Some((_, c)) if c == sep => continue,
                Some((i, '\r')) => {
                    if chars.peek().is_some_and(|&(_, c)| c == '\n') {
                        self.pos += i + 2;
                    } else {
                        self.pos += i + 1;
                    }
                    return Ok(fields);
                }
                Some((i, _)) => {
                    // '\n'
                    self.pos += i + 1;
                    return Ok(fields);
                }
                None => {
                    self.pos = self.text.len();
                    return Ok(fields);
                }
            }
        }
    }

    fn skip_line_from(
        &mut self,
        rest: &str,
        chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    ) {
        let at = chars.peek().map_or(rest.len(), |&(i, _)| i);
        self.pos += at;
        self.skip_line();
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Vec<String>, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = &self.text[self.pos..];
            if rest.is_empty() {
                return None;
            }
            // A blank line is no record.
            if rest.starts_with('\n') {
                self.pos += 1;
                continue;
            }
            if rest.starts_with("\r\n") {
                self.pos += 2;
                continue;
            }
            return Some(self.record());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::http::csv::exchange_line as line;
    use proptest::prelude::*;

    fn read(text: &str, sep: char) -> Vec<Result<Vec<String>, Malformed>> {
        Records::new(text, sep).collect()
    }

    fn ok(cells: &[&str]) -> Result<Vec<String>, Malformed> {
        Ok(cells.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn the_separator_follows_structure_or_its_bracket_term() {
        assert_eq!(separator("STRUCTURE,STRUCTURE_ID"), Ok(','));
        assert_eq!(separator("STRUCTURE;STRUCTURE_ID"), Ok(';'));
        assert_eq!(separator("\u{feff}STRUCTURE[;];STRUCTURE_ID"), Ok(';'));
        assert_eq!(separator("STRUCTURE[;],STRUCTURE_ID"), Ok(','));
        assert_eq!(separator("STRUCTURE\tSTRUCTURE_ID"), Ok('\t'));
        assert_eq!(separator("STRUCTURE"), Ok(','));
        assert!(separator("REF_AREA,STRUCTURE").is_err());
        assert!(separator("STRUCTURE[;,X").is_err());
    }

    #[test]
    fn quoted_fields_hold_separators_quotes_and_line_breaks() {
        let text = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\n\nlast,\"\",\"\r\n\"";
        assert_eq!(
            read(text, ','),
            [
                ok(&["a", "b,c", "say \"hi\""]),
                ok(&["two\nlines", "", "x"]),
                ok(&["last", "", "\r\n"]),
            ]
        );
        assert_eq!(read("a;\"b;c\";d\r\n", ';'), [ok(&["a", "b;c", "d"])]);
        assert_eq!(read("a,b,", ','), [ok(&["a", "b", ""])]);
    }

    #[test]
    fn a_malformed_record_is_reported_and_reading_goes_on_at_the_next_line() {
        let got = read("a,b\"c,d\nok,1\n\"x\"y,z\nfine\n\"open,2\nnever", ',');
        assert!(got[0].is_err());
        assert_eq!(got[1], ok(&["ok", "1"]));
        assert!(got[2].is_err());
        assert_eq!(got[3], ok(&["fine"]));
        assert!(got[4].is_err());
        assert_eq!(got.len(), 5);
    }

    proptest! {
        #[test]
        fn what_the_writer_writes_the_reader_reads(rows in prop::collection::vec(
            prop::collection::vec("[a-zA-Z0-9 ,;\"\r\n_é-]{0,12}", 1..6), 1..6)
        ) {
            let mut text = String::new();
            for r in &rows {
                line(r, &mut text);
            }
            // A line of one empty cell is a blank line, which the reader skips.
            let want: Vec<Vec<String>> = rows.into_iter()
                .filter(|r| !(r.len() == 1 && r[0].is_empty()))
                .collect();
            let got: Vec<Vec<String>> = Records::new(&text, ',')
                .collect::<Result<_, _>>()
                .map_err(|e| TestCaseError::fail(e.0))?;
            prop_assert_eq!(got, want);
        }
    }
}
