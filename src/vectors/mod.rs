//! Golden vectors: the CSV files in `vectors/`, made by the real Python
//! implementations. A file's kind is known from its header; every field is
//! parsed strictly, and a bad one is reported as `file:line: field: why`.

mod check;

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::hex::decode_array;
use crate::target::Difficulty;

/// The five vector files, by header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VectorKind {
    /// `legacy_seal.csv`
    LegacySeal,
    /// `legacy_difficulty.csv`
    LegacyDifficulty,
    /// `legacy_solve.csv`
    LegacySolve,
    /// `v1_seal.csv`
    V1Seal,
    /// `v1_solve.csv`
    V1Solve,
}

impl VectorKind {
    /// Every kind.
    pub const ALL: [VectorKind; 5] = [
        VectorKind::LegacySeal,
        VectorKind::LegacyDifficulty,
        VectorKind::LegacySolve,
        VectorKind::V1Seal,
        VectorKind::V1Solve,
    ];

    /// The file name without `.csv`.
    pub fn name(self) -> &'static str {
        match self {
            VectorKind::LegacySeal => "legacy_seal",
            VectorKind::LegacyDifficulty => "legacy_difficulty",
            VectorKind::LegacySolve => "legacy_solve",
            VectorKind::V1Seal => "v1_seal",
            VectorKind::V1Solve => "v1_solve",
        }
    }

    /// The header row that identifies the kind.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            VectorKind::LegacySeal => &[
                "block_hash",
                "hotkey",
                "nonce",
                "block_and_hotkey_hash",
                "seal",
                "difficulty",
                "meets",
            ],
            VectorKind::LegacyDifficulty => &["seal", "difficulty", "python_meets", "chain_meets"],
            VectorKind::LegacySolve => &[
                "block_hash",
                "hotkey",
                "difficulty",
                "nonce_start",
                "nonce_end",
                "first_nonce",
            ],
            VectorKind::V1Seal => &[
                "netuid",
                "block_hash",
                "hotkey",
                "coldkey",
                "nonce",
                "seal",
                "difficulty",
                "meets",
            ],
            VectorKind::V1Solve => &[
                "netuid",
                "block_hash",
                "hotkey",
                "coldkey",
                "difficulty",
                "nonce_start",
                "nonce_end",
                "first_nonce",
            ],
        }
    }

    fn from_header(fields: &[&str]) -> Option<VectorKind> {
        VectorKind::ALL.into_iter().find(|k| k.header() == fields)
    }
}

/// A half-open nonce range `[start, start + count)` that stays within `u64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonceRange {
    /// The first nonce.
    pub start: u64,
    /// How many nonces.
    pub count: u64,
}

/// One row, typed: one variant per [`VectorKind`], its fields the file's columns
/// of the same names (TESTING.md's Golden vectors says where each comes from).
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    LegacySeal {
        block_hash: [u8; 32],
        hotkey: [u8; 32],
        nonce: u64,
        block_and_hotkey_hash: [u8; 32],
        seal: [u8; 32],
        difficulty: Difficulty,
        /// Under the `python` rule.
        meets: bool,
    },
    LegacyDifficulty {
        seal: [u8; 32],
        difficulty: Difficulty,
        python_meets: bool,
        /// Under the `chain-be` rule.
        chain_meets: bool,
    },
    LegacySolve {
        block_hash: [u8; 32],
        hotkey: [u8; 32],
        difficulty: Difficulty,
        range: NonceRange,
        first_nonce: Option<u64>,
    },
    V1Seal {
        netuid: u16,
        block_hash: [u8; 32],
        hotkey: [u8; 32],
        coldkey: [u8; 32],
        nonce: u64,
        seal: [u8; 32],
        difficulty: Difficulty,
        meets: bool,
    },
    V1Solve {
        netuid: u16,
        block_hash: [u8; 32],
        hotkey: [u8; 32],
        coldkey: [u8; 32],
        difficulty: Difficulty,
        range: NonceRange,
        first_nonce: Option<u64>,
    },
}

/// A parsed file: its kind and its rows with their line numbers.
#[derive(Clone, Debug)]
pub struct VectorFile {
    /// The file's name as given.
    pub name: String,
    /// Its kind.
    pub kind: VectorKind,
    /// Its rows, each with its line number.
    pub rows: Vec<(u64, Row)>,
}

impl VectorFile {
    /// Reads one vector file or every `*.csv` file in a directory (by name order).
    pub fn load(path: &Path) -> Result<Vec<VectorFile>, VectorError> {
        let io_error = |p: &Path, e: std::io::Error| VectorError {
            file: p.display().to_string(),
            line: None,
            field: None,
            message: e.to_string(),
        };
        let meta = fs::metadata(path).map_err(|e| io_error(path, e))?;
        let mut paths = Vec::new();
        if meta.is_dir() {
            for entry in fs::read_dir(path).map_err(|e| io_error(path, e))? {
                let p = entry.map_err(|e| io_error(path, e))?.path();
                if p.extension().is_some_and(|x| x == "csv") && p.is_file() {
                    paths.push(p);
                }
            }
            paths.sort();
            if paths.is_empty() {
                return Err(VectorError {
                    file: path.display().to_string(),
                    line: None,
                    field: None,
                    message: "no .csv files in this directory".into(),
                });
            }
        } else {
            paths.push(path.to_path_buf());
        }
        paths
            .iter()
            .map(|p| {
                // Regular files only: a FIFO or a device would never end.
                let file = crate::file::open_regular(p).map_err(|e| io_error(p, e))?;
                VectorFile::parse(
                    &p.display().to_string(),
                    Limited {
                        inner: file,
                        left: MAX_FILE_BYTES,
                    },
                )
            })
            .collect()
    }

    /// Parses one vector file from any reader; `name` is used in errors.
    pub fn parse(name: &str, reader: impl Read) -> Result<VectorFile, VectorError> {
        let err = |line: Option<u64>, field: Option<&str>, message: String| VectorError {
            file: name.to_string(),
            line,
            field: field.map(str::to_string),
            message,
        };
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut records = csv.byte_records();

        let header = match records.next() {
            None => return Err(err(None, None, "empty file: no header row".into())),
            Some(Err(e)) => return Err(err(csv_line(&e), None, e.to_string())),
            Some(Ok(h)) => h,
        };
        let header_line = header.position().map(|p| p.line());
        let names: Vec<&str> = header
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<_, _>>()
            .map_err(|_| err(header_line, None, "header is not UTF-8".into()))?;
        let kind = VectorKind::from_header(&names).ok_or_else(|| {
            err(
                header_line,
                None,
                format!(
                    "unknown header {:?}; expected the header of one of: {}",
                    names.join(","),
                    VectorKind::ALL.map(VectorKind::name).join(", ")
                ),
            )
        })?;

        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(|e| err(csv_line(&e), None, e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            let columns = kind.header();
            if record.len() != columns.len() {
                return Err(err(
                    Some(line),
                    None,
                    format!("expected {} fields, found {}", columns.len(), record.len()),
                ));
            }
            let mut fields = Fields {
                record: &record,
                columns,
                line,
                name,
            };
            rows.push((line, fields.row(kind)?));
        }
        if rows.is_empty() {
            // A file that checks nothing must not pass as "0 passed, 0 failed".
            return Err(err(header_line, None, "a header but no rows".into()));
        }
        Ok(VectorFile {
            name: name.to_string(),
            kind,
            rows,
        })
    }
}

/// Where and why a vector file could not be read: `file:line: field F:
/// message`, the parts that are known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.located())]
pub struct VectorError {
    /// The file.
    pub file: String,
    /// The line, if one is to blame.
    pub line: Option<u64>,
    /// The field, if one is to blame.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl VectorError {
    fn located(&self) -> String {
        let mut text = self.file.clone();
        if let Some(line) = self.line {
            text.push_str(&format!(":{line}"));
        }
        if let Some(field) = &self.field {
            text.push_str(&format!(": field {field}"));
        }
        format!("{text}: {}", self.message)
    }
}

/// The largest vector file read (the committed ones are a few hundred KiB).
pub(crate) const MAX_FILE_BYTES: u64 = 64 << 20;

/// A reader that fails past its limit, so that `/dev/zero` or a runaway
/// file ends in an error instead of filling memory.
struct Limited<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more than the limit means the file is larger.
            let mut probe = [0u8];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(format!(
                    "larger than {} MiB, the most a vector file may have",
                    MAX_FILE_BYTES >> 20
                ))),
            };
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..n])?;
        self.left -= read as u64;
        Ok(read)
    }
}

fn csv_line(e: &csv::Error) -> Option<u64> {
    e.position().map(|p| p.line())
}

/// Typed access to one record's fields by column name.
struct Fields<'a> {
    record: &'a csv::ByteRecord,
    columns: &'static [&'static str],
    line: u64,
    name: &'a str,
}

impl Fields<'_> {
    fn fail<T>(&self, column: &str, message: impl Into<String>) -> Result<T, VectorError> {
        Err(VectorError {
            file: self.name.to_string(),
            line: Some(self.line),
            field: Some(column.to_string()),
            message: message.into(),
        })
    }

    fn text(&self, column: &str) -> Result<&str, VectorError> {
        let i = self
            .columns
            .iter()
            .position(|c| *c == column)
            .expect("column of this kind");
        match std::str::from_utf8(&self.record[i]) {
            Ok(s) => Ok(s),
            Err(_) => self.fail(column, "not UTF-8"),
        }
    }

    fn hash(&self, column: &str) -> Result<[u8; 32], VectorError> {
        let s = self.text(column)?;
        decode_array(s).or_else(|e| self.fail(column, format!("{e}: {s:?}")))
    }

    fn uint(&self, column: &str) -> Result<u128, VectorError> {
        let s = self.text(column)?;
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return self.fail(column, format!("not a decimal integer: {s:?}"));
        }
        s.parse::<u128>()
            .or_else(|_| self.fail(column, format!("out of range: {s:?}")))
    }

    fn u64(&self, column: &str) -> Result<u64, VectorError> {
        let v = self.uint(column)?;
        u64::try_from(v).or_else(|_| self.fail(column, format!("{v} exceeds 2^64-1")))
    }

    fn netuid(&self) -> Result<u16, VectorError> {
        let v = self.uint("netuid")?;
        u16::try_from(v).or_else(|_| self.fail("netuid", format!("{v} exceeds 65535")))
    }

    fn difficulty(&self) -> Result<Difficulty, VectorError> {
        let d = self.u64("difficulty")?;
        Difficulty::new(d).or_else(|e| self.fail("difficulty", e.to_string()))
    }

    fn bool(&self, column: &str) -> Result<bool, VectorError> {
        match self.text(column)? {
            "true" => Ok(true),
            "false" => Ok(false),
            s => self.fail(column, format!("expected true or false, found {s:?}")),
        }
    }

    /// `nonce_start`, `nonce_end` (exclusive, up to 2^64) and `first_nonce`
    /// (empty for none, else inside the range). An empty range may sit at
    /// 2^64 (pow.py's `range(2**64, 2**64)` is simply empty).
    fn solve(&self) -> Result<(NonceRange, Option<u64>), VectorError> {
        const TOP: u128 = 1 << 64;
        let start = self.uint("nonce_start")?;
        if start > TOP {
            return self.fail("nonce_start", format!("{start} exceeds 2^64"));
        }
        let end = self.uint("nonce_end")?;
        if end < start {
            return self.fail("nonce_end", format!("{end} is below nonce_start {start}"));
        }
        if end > TOP {
            return self.fail("nonce_end", format!("{end} exceeds 2^64"));
        }
        let count = u64::try_from(end - start).or_else(|_| {
            self.fail(
                "nonce_end",
                "the range holds 2^64 nonces; at most 2^64-1 can be searched",
            )
        })?;
        // Only an empty range can start at 2^64; where it starts is moot.
        let start = u64::try_from(start).unwrap_or(u64::MAX);
        let first = match self.text("first_nonce")? {
            "" => None,
            _ => {
                let n = self.u64("first_nonce")?;
                if n < start || n as u128 >= end {
                    return self.fail(
                        "first_nonce",
                        format!("{n} is outside [nonce_start, nonce_end)"),
                    );
                }
                Some(n)
            }
        };
        Ok((NonceRange { start, count }, first))
    }

    fn row(&mut self, kind: VectorKind) -> Result<Row, VectorError> {
        Ok(match kind {
            VectorKind::LegacySeal => Row::LegacySeal {
                block_hash: self.hash("block_hash")?,
                hotkey: self.hash("hotkey")?,
                nonce: self.u64("nonce")?,
                block_and_hotkey_hash: self.hash("block_and_hotkey_hash")?,
                seal: self.hash("seal")?,
                difficulty: self.difficulty()?,
                meets: self.bool("meets")?,
            },
            VectorKind::LegacyDifficulty => Row::LegacyDifficulty {
                seal: self.hash("seal")?,
                difficulty: self.difficulty()?,
                python_meets: self.bool("python_meets")?,
                chain_meets: self.bool("chain_meets")?,
            },
            VectorKind::LegacySolve => {
                let (range, first_nonce) = self.solve()?;
                Row::LegacySolve {
                    block_hash: self.hash("block_hash")?,
                    hotkey: self.hash("hotkey")?,
                    difficulty: self.difficulty()?,
                    range,
                    first_nonce,
                }
            }
            VectorKind::V1Seal => Row::V1Seal {
                netuid: self.netuid()?,
                block_hash: self.hash("block_hash")?,
                hotkey: self.hash("hotkey")?,
                coldkey: self.hash("coldkey")?,
                nonce: self.u64("nonce")?,
                seal: self.hash("seal")?,
                difficulty: self.difficulty()?,
                meets: self.bool("meets")?,
            },
            VectorKind::V1Solve => {
                let (range, first_nonce) = self.solve()?;
                Row::V1Solve {
                    netuid: self.netuid()?,
                    block_hash: self.hash("block_hash")?,
                    hotkey: self.hash("hotkey")?,
                    coldkey: self.hash("coldkey")?,
                    difficulty: self.difficulty()?,
                    range,
                    first_nonce,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEAL: &str = "00000000000000000000000000000000000000000000000000000000000000ff";

    fn parse_str(s: &str) -> Result<VectorFile, VectorError> {
        VectorFile::parse("t.csv", s.as_bytes())
    }

    #[test]
    fn header_picks_the_kind() {
        let f = parse_str(&format!(
            "seal,difficulty,python_meets,chain_meets\n{SEAL},3,true,true\n"
        ))
        .unwrap();
        assert_eq!(f.kind, VectorKind::LegacyDifficulty);
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].0, 2);
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = parse_str(&format!(
            "seal,difficulty,python_meets,chain_meets\n{SEAL},3,true,true\n{SEAL},x3,true,true\n"
        ))
        .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert_eq!(e.field.as_deref(), Some("difficulty"));
        assert!(
            e.to_string().starts_with("t.csv:3: field difficulty: "),
            "{e}"
        );

        let e = parse_str("seal,difficulty\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("unknown header"));

        let e = parse_str(&format!(
            "seal,difficulty,python_meets,chain_meets\n{SEAL},0,true,true\n"
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("difficulty"));

        let e =
            parse_str("seal,difficulty,python_meets,chain_meets\nab,1,true,true\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("seal"));

        let e = parse_str(&format!(
            "seal,difficulty,python_meets,chain_meets\n{SEAL},1,True,true\n"
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("python_meets"));

        let e = parse_str(&format!(
            "seal,difficulty,python_meets,chain_meets\n{SEAL},1,true\n"
        ))
        .unwrap_err();
        assert!(e.message.contains("expected 4 fields"), "{e}");
        assert!(parse_str("").is_err());
    }

    #[test]
    fn solve_ranges() {
        let h = "ab".repeat(32);
        let head = "block_hash,hotkey,difficulty,nonce_start,nonce_end,first_nonce\n";
        let ok = parse_str(&format!(
            "{head}{h},{h},5,18446744073709551615,18446744073709551616,\n"
        ))
        .unwrap();
        let empty_at_top = parse_str(&format!(
            "{head}{h},{h},5,18446744073709551616,18446744073709551616,\n"
        ))
        .unwrap();
        assert!(matches!(
            empty_at_top.rows[0].1,
            Row::LegacySolve {
                range: NonceRange { count: 0, .. },
                ..
            }
        ));
        assert!(matches!(
            ok.rows[0].1,
            Row::LegacySolve {
                range: NonceRange {
                    start: u64::MAX,
                    count: 1
                },
                first_nonce: None,
                ..
            }
        ));
        for (bad, field) in [
            ("5,10,9,", "nonce_end"),
            ("5,0,18446744073709551617,", "nonce_end"),
            ("5,0,18446744073709551616,", "nonce_end"),
            ("5,10,20,20", "first_nonce"),
            ("5,10,20,9", "first_nonce"),
            ("5,-1,20,", "nonce_start"),
            (
                "5,18446744073709551617,18446744073709551617,",
                "nonce_start",
            ),
            ("18446744073709551616,1,2,", "difficulty"),
        ] {
            let e = parse_str(&format!("{head}{h},{h},{bad}\n")).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{bad}: {e}");
        }
    }
}
