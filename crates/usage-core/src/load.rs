//! One load of export files, step by step: which files to hash first, which to skip as
//! duplicates, how each is recognised and read, and what to tell the user.
//!
//! It is pure: a driver (the page, a Web Worker, a native test) reads the bytes and feeds them
//! in, so the rules are the same wherever the bytes come from. Several files are merged into one
//! store; a failure leaves the caller's data as it was, because nothing is shown until
//! [`Load::finish`].

use std::collections::HashMap;
use std::hash::Hasher;

use thiserror::Error;

use crate::formats::encoding::TextEncoding;
use crate::formats::log_format::LogFormat;
use crate::formats::tabular::{ColumnMapping, MappingProposal, header_of, propose};
use crate::formats::{FileReader, Format, ReadError, ReadReport, RowProblem, Sniffed, sniff};
use crate::store::{StoreBuilder, UsageStore};

/// How many bytes of a file's start are used to recognise it.
pub const HEAD_BYTES: u64 = 64 << 10;

/// The most records one load may hold in a browser tab. A store takes about 32 bytes a record,
/// but building and handing it over from the worker takes about three times that at the peak:
/// 25 million records stay well under what a tab can have before it dies.
pub const MAX_RECORDS: u64 = 25_000_000;

/// Column choices the user confirmed for generic CSVs, by header set
/// ([`MappingProposal::header_key`]).
pub type Mappings = HashMap<String, ColumnMapping>;

/// A file to open: what the browser's `File` says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub name: String,
    pub size: u64,
}

/// Why a load stopped. The data on screen stays as it was.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("no file was chosen")]
    NoFiles,
    #[error("{name} is empty")]
    EmptyFile { name: String },
    #[error("{name}: {error}")]
    Read { name: String, error: ReadError },
    /// A file in which no row could be read. For a CSV whose columns were matched by name,
    /// `proposal` holds the columns that were used, so the user can change them.
    #[error("{name} has no usable rows{detail}")]
    NoRows {
        name: String,
        detail: String,
        proposal: Option<Box<MappingProposal>>,
    },
    /// Text lines of no format Callboard knows: perhaps an access log written with its own
    /// format, which the user can give. `sample` is its first line (keys masked); `mismatch`, why
    /// the newest format given does not read it, when one was.
    #[error(
        "{name}: its lines are not in a format Callboard knows{}. If it is an access log with its own log_format, give the format",
        mismatch.as_ref().map(|m| format!(" (the log format given does not read its first line: {m})")).unwrap_or_default()
    )]
    NeedsLogFormat {
        name: String,
        sample: String,
        mismatch: Option<String>,
    },
    /// A CSV's columns can be read more than one way: the user should confirm them.
    #[error("{name}: which columns are which must be confirmed first")]
    NeedsMapping {
        name: String,
        proposal: Box<MappingProposal>,
    },
    /// Judged from the sizes and the first rows, before the tab runs out of memory.
    #[error(
        "{name} holds about {} records (judged from its size and first rows), more than the {} Callboard can hold in a browser tab. Split the export, or open fewer files at once",
        crate::format::thousands(*estimated),
        crate::format::thousands(MAX_RECORDS)
    )]
    TooBig { name: String, estimated: u64 },
    /// More records than fit came in after all (a compressed file that expands further than its start said).
    #[error(
        "{name}: more than {} records were read, the most Callboard can hold in a browser tab. Split the export, or open fewer files at once",
        crate::format::thousands(MAX_RECORDS)
    )]
    TooManyRecords { name: String },
}

/// A file that was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedFile {
    pub name: String,
    pub size: u64,
    pub format: Format,
    pub encoding: TextEncoding,
    pub report: ReadReport,
}

/// A file left out because an earlier file of the same load has the same content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    pub name: String,
    pub same_as: String,
}

impl Duplicate {
    /// What the banner says.
    pub fn message(&self) -> String {
        if self.name == self.same_as {
            format!("{} was chosen twice; it was read once.", self.name)
        } else {
            format!(
                "{} has the same size and content as {}; it was read once, so nothing is counted twice.",
                self.name, self.same_as
            )
        }
    }
}

/// What a finished load gives the page.
#[derive(Debug)]
pub struct Loaded {
    pub store: UsageStore,
    pub files: Vec<LoadedFile>,
    pub duplicates: Vec<Duplicate>,
    /// Confirmed column choices that read rows: worth remembering for files with these columns.
    pub mappings_used: Vec<(String, ColumnMapping)>,
    /// The log formats (as given) that read rows: worth remembering for logs of their shape.
    pub log_formats_used: Vec<String>,
}

/// A hash of a file's bytes, fed in pieces; equal content gives an equal hash however it is cut.
/// SipHash (std's `DefaultHasher`, fixed keys) is plenty to tell two exports apart.
#[derive(Default)]
pub struct ContentHash(std::collections::hash_map::DefaultHasher);

impl ContentHash {
    pub fn new() -> ContentHash {
        ContentHash::default()
    }
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
    pub fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// The file being read now.
struct Current {
    file: usize,
    reader: FileReader,
    sniffed: Sniffed,
    /// The generic-CSV columns used, and their header key, when the user confirmed them.
    mapping: Option<(String, ColumnMapping)>,
    /// The team's own log format this file is read with, as given.
    log_format: Option<String>,
    /// Records in the store before this file.
    rows_before: usize,
}

/// One load of one or more files into one store.
pub struct Load {
    files: Vec<FileInfo>,
    mappings: Mappings,
    hashes: Vec<Option<u64>>,
    builder: StoreBuilder,
    current: Option<Current>,
    loaded: Vec<LoadedFile>,
    duplicates: Vec<Duplicate>,
    mappings_used: Vec<(String, ColumnMapping)>,
    /// The teams' own access-log formats, tried on a file's first lines.
    log_formats: Vec<LogFormat>,
    log_formats_used: Vec<String>,
}

impl Load {
    /// The same load, trying `formats` (the teams' own access-log formats) on each file's first
    /// lines: a file they read is read with the first that does.
    pub fn with_log_formats(mut self, formats: Vec<LogFormat>) -> Load {
        self.log_formats = formats;
        self
    }

    /// Starts a load of `files`, with the column choices confirmed so far.
    pub fn new(files: Vec<FileInfo>, mappings: Mappings) -> Result<Load, LoadError> {
        if files.is_empty() {
            return Err(LoadError::NoFiles);
        }
        if let Some(empty) = files.iter().find(|f| f.size == 0) {
            return Err(LoadError::EmptyFile {
                name: empty.name.clone(),
            });
        }
        let hashes = vec![None; files.len()];
        Ok(Load {
            files,
            mappings,
            hashes,
            builder: StoreBuilder::new(),
            current: None,
            loaded: Vec::new(),
            duplicates: Vec::new(),
            mappings_used: Vec::new(),
            log_formats: Vec::new(),
            log_formats_used: Vec::new(),
        })
    }

    pub fn files(&self) -> &[FileInfo] {
        &self.files
    }

    /// Files to hash before any is read: only those whose size another file of the load shares
    /// can be the same file, so a load of distinct files reads each file once.
    pub fn to_hash(&self) -> Vec<usize> {
        (0..self.files.len())
            .filter(|&i| {
                self.files
                    .iter()
                    .enumerate()
                    .any(|(j, f)| j != i && f.size == self.files[i].size)
            })
            .collect()
    }

    /// The content hash of file `file` (all of its bytes, through [`ContentHash`]).
    pub fn set_hash(&mut self, file: usize, hash: u64) {
        if let Some(slot) = self.hashes.get_mut(file) {
            *slot = Some(hash);
        }
    }

    /// The earlier file with the same size and content as `file`, if any.
    pub fn duplicate_of(&self, file: usize) -> Option<usize> {
        let (info, hash) = (self.files.get(file)?, self.hashes.get(file).copied().flatten()?);
        (0..file).find(|&j| self.files[j].size == info.size && self.hashes[j] == Some(hash))
    }

    /// Leaves `file` out as a copy of the earlier file [`Load::duplicate_of`] found.
    pub fn skip_duplicate(&mut self, file: usize) {
        if let Some(original) = self.duplicate_of(file) {
            self.duplicates.push(Duplicate {
                name: self.files[file].name.clone(),
                same_as: self.files[original].name.clone(),
            });
        }
    }

    /// Starts reading `file` from its first bytes (up to [`HEAD_BYTES`]): its encoding and
    /// format are recognised from them, not from its name.
    pub fn begin(&mut self, file: usize, head: &[u8]) -> Result<(), LoadError> {
        let name = self.files.get(file).map(|f| f.name.clone()).unwrap_or_default();
        let saved = |text: &[u8]| self.log_formats.iter().find(|f| f.reads(text)).cloned();
        let (sniffed, log_format) = match sniff(head) {
            Ok(sniffed) => {
                // A saved format is the team's own word for a log of its shape.
                let own = (sniffed.format == Format::AccessLog)
                    .then(|| saved(&sniffed.text_head))
                    .flatten();
                (sniffed, own)
            }
            // JSON of unknown keys is no log: its error says what was expected.
            Err(ReadError::Unrecognised)
                if head.trim_ascii_start().starts_with(b"{") || head.trim_ascii_start().starts_with(b"[") =>
            {
                return Err(LoadError::Read {
                    name,
                    error: ReadError::Unrecognised,
                });
            }
            Err(ReadError::Unrecognised) => match saved(head) {
                Some(format) => (
                    Sniffed {
                        encoding: crate::formats::encoding::TextEncoding::Utf8,
                        format: Format::AccessLog,
                        text_head: head.to_vec(),
                    },
                    Some(format),
                ),
                None => {
                    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
                    let first = first.strip_suffix(b"\r").unwrap_or(first);
                    let mismatch = self
                        .log_formats
                        .first()
                        .and_then(|format| format.read_line(first).err())
                        .map(|e| e.to_string());
                    return Err(LoadError::NeedsLogFormat {
                        name,
                        sample: sample_line(first),
                        mismatch,
                    });
                }
            },
            Err(error) => return Err(LoadError::Read { name, error }),
        };
        if let Some(format) = log_format {
            self.current = Some(Current {
                file,
                log_format: Some(format.text().to_owned()),
                reader: FileReader::with_log_format(format),
                sniffed,
                mapping: None,
                rows_before: self.builder.len(),
            });
            return Ok(());
        }
        let (reader, mapping) = match sniffed.format {
            Format::GenericCsv => {
                let proposal = propose(&header_of(&sniffed.text_head).unwrap_or_default());
                let key = proposal.header_key();
                match self.mappings.get(&key) {
                    Some(mapping) => (FileReader::with_mapping(mapping.clone()), Some((key, mapping.clone()))),
                    None if proposal.ambiguous.is_empty() => (FileReader::new(sniffed.format), None),
                    None => {
                        return Err(LoadError::NeedsMapping {
                            name,
                            proposal: Box::new(proposal),
                        });
                    }
                }
            }
            format => (FileReader::new(format), None),
        };
        self.current = Some(Current {
            file,
            reader: reader.decoding(sniffed.encoding),
            sniffed,
            mapping,
            log_format: None,
            rows_before: self.builder.len(),
        });
        Ok(())
    }

    /// Whether the load still fits, with `consumed` bytes of the current file (as on disk) read:
    /// the records so far, plus the rest of this file and every file after it at this file's rate.
    pub fn check_size(&self, consumed: u64) -> Result<(), LoadError> {
        let Some(current) = &self.current else { return Ok(()) };
        let name = || self.files[current.file].name.clone();
        let read = self.builder.len() as u64;
        if read > MAX_RECORDS {
            return Err(LoadError::TooManyRecords { name: name() });
        }
        let in_file = read - current.rows_before as u64;
        if consumed == 0 || in_file == 0 {
            return Ok(());
        }
        let later: u64 = (current.file + 1..self.files.len())
            .filter(|&j| self.duplicate_of(j).is_none())
            .map(|j| self.files[j].size)
            .sum();
        let remaining = self.files[current.file].size.saturating_sub(consumed) + later;
        let estimated = read as f64 + remaining as f64 * in_file as f64 / consumed as f64;
        if estimated > MAX_RECORDS as f64 {
            return Err(LoadError::TooBig {
                name: name(),
                estimated: estimated.min(u64::MAX as f64) as u64,
            });
        }
        Ok(())
    }

    /// Reads the next bytes of the file begun last.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), LoadError> {
        let Some(current) = self.current.as_mut() else {
            return Ok(());
        };
        let name = &self.files[current.file].name;
        current
            .reader
            .feed(chunk, &mut self.builder)
            .map_err(|error| LoadError::Read {
                name: name.clone(),
                error,
            })
    }

    /// Ends the file begun last. A file with no usable row fails the load, saying why (and,
    /// for a CSV read by column names, with the columns used, so that they can be changed).
    pub fn end(&mut self) -> Result<(), LoadError> {
        let Some(current) = self.current.take() else {
            return Ok(());
        };
        let info = self.files[current.file].clone();
        let report = current
            .reader
            .finish(&mut self.builder)
            .map_err(|error| LoadError::Read {
                name: info.name.clone(),
                error,
            })?;
        if report.rows == 0 {
            let detail = match report.problems.first() {
                Some(RowProblem { line, reason }) => format!(" (line {line}: {reason})"),
                None => String::new(),
            };
            let proposal = (current.sniffed.format == Format::GenericCsv).then(|| {
                let mut proposal = propose(&header_of(&current.sniffed.text_head).unwrap_or_default());
                if let Some((_, used)) = &current.mapping {
                    proposal.mapping = used.clone();
                }
                proposal
            });
            return Err(LoadError::NoRows {
                name: info.name,
                detail,
                proposal: proposal.map(Box::new),
            });
        }
        self.mappings_used.extend(current.mapping);
        self.log_formats_used.extend(current.log_format);
        self.loaded.push(LoadedFile {
            name: info.name,
            size: info.size,
            format: current.sniffed.format,
            encoding: current.sniffed.encoding,
            report,
        });
        Ok(())
    }

    /// The merged store of every file read.
    pub fn finish(mut self) -> Loaded {
        self.mappings_used.dedup();
        self.log_formats_used.dedup();
        Loaded {
            store: self.builder.finish(),
            files: self.loaded,
            duplicates: self.duplicates,
            mappings_used: self.mappings_used,
            log_formats_used: self.log_formats_used,
        }
    }
}

/// A line to show as text: control characters as `\xXX`, at most 400 characters, and anything
/// that may be a key or a token (16 or more letters, digits, `_` or `-`, with both letters and
/// digits) masked to its first and last four (`sk_l…1111`), since a log's first line can hold one.
fn sample_line(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text: String = String::from_utf8_lossy(line).chars().take(400).collect();
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let chars: Vec<char> = word.chars().collect();
        let secret = chars.len() >= 16
            && chars.iter().any(|c| c.is_ascii_alphabetic())
            && chars.iter().any(|c| c.is_ascii_digit());
        if secret {
            out.extend(&chars[..4]);
            out.push('…');
            out.extend(&chars[chars.len() - 4..]);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        if c.is_control() {
            out.push_str(&format!("\\x{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    if String::from_utf8_lossy(line).chars().count() > 400 {
        out.push('…');
    }
    out
}

/// Runs a whole load over files already in memory, `chunk` bytes at a time, exactly as the
/// browser's driver does over files on disk: for native tests and benchmarks.
pub fn load_in_memory(files: &[(&str, &[u8])], mappings: Mappings, chunk: usize) -> Result<Loaded, LoadError> {
    let infos = files
        .iter()
        .map(|(name, bytes)| FileInfo {
            name: (*name).to_owned(),
            size: bytes.len() as u64,
        })
        .collect();
    let mut load = Load::new(infos, mappings)?;
    for i in load.to_hash() {
        let mut hash = ContentHash::new();
        files[i].1.chunks(chunk.max(1)).for_each(|c| hash.update(c));
        load.set_hash(i, hash.finish());
    }
    for (i, (_, bytes)) in files.iter().enumerate() {
        if load.duplicate_of(i).is_some() {
            load.skip_duplicate(i);
            continue;
        }
        load.begin(i, &bytes[..bytes.len().min(HEAD_BYTES as usize)])?;
        let mut consumed = 0;
        for piece in bytes.chunks(chunk.max(1)) {
            load.feed(piece)?;
            consumed += piece.len() as u64;
            load.check_size(consumed)?;
        }
        load.end()?;
    }
    Ok(load.finish())
}

/// For the fuzz target `load`: the whole path a file takes (encoding and format sniffing, UTF-16
/// and CR decoding, every reader, duplicate detection), over up to three files cut from `data` at
/// `\x1e` bytes, fed in chunks sized by the first byte. It must return, never panic.
#[doc(hidden)]
pub fn fuzz_load(data: &[u8]) {
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let files: Vec<(&str, &[u8])> = data
        .get(1..)
        .unwrap_or_default()
        .split(|&b| b == 0x1e)
        .take(3)
        .map(|bytes| ("fuzz", bytes))
        .collect();
    let _ = load_in_memory(&files, Mappings::new(), chunk);
}

#[cfg(test)]
mod sample_tests {
    use super::sample_line;

    // Guards the first line shown in "Log format…": a key in it is masked, the rest is as written.
    #[test]
    fn a_sample_masks_what_may_be_a_key() {
        let line = br#"2026-12-07T02:48:06+00:00 127.0.0.1 200 "GET /v1/users/1 HTTP/1.1" "sk_live_aaaa1111" "python-requests/2.32" 550e8400-e29b-41d4-a716-446655440000"#;
        assert_eq!(
            sample_line(line),
            r#"2026-12-07T02:48:06+00:00 127.0.0.1 200 "GET /v1/users/1 HTTP/1.1" "sk_l…1111" "python-requests/2.32" 550e…0000"#
        );
        assert_eq!(sample_line(b"a\tb\r"), "a\\x09b");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tabular::Field;

    const CSV: &str =
        "timestamp,client_id,template,status\n2026-11-20T10:00:00Z,a,/x,200\n2026-11-20T11:00:00Z,b,/x,500\n";

    // Guards the hash used to spot a file given twice: equal for any chunking, different for other bytes.
    #[test]
    fn content_hash_ignores_chunking() {
        let hash = |bytes: &[u8], size: usize| {
            let mut h = ContentHash::new();
            bytes.chunks(size).for_each(|c| h.update(c));
            h.finish()
        };
        let data = CSV.as_bytes();
        assert_eq!(hash(data, 1), hash(data, 7));
        assert_eq!(hash(data, 3), hash(data, data.len()));
        assert_ne!(hash(data, 7), hash(&data[..data.len() - 1], 7));
    }

    // Guards that the same file twice (or a copy under another name) is read once and
    // said; a different file of the same size is read.
    #[test]
    fn the_same_file_twice_is_counted_once() {
        let other = CSV.replace("500", "404");
        let loaded = load_in_memory(
            &[
                ("usage.csv", CSV.as_bytes()),
                ("usage.csv", CSV.as_bytes()),
                ("copy.csv", CSV.as_bytes()),
                ("other.csv", other.as_bytes()),
            ],
            Mappings::new(),
            5,
        )
        .unwrap();
        assert_eq!(
            loaded.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["usage.csv", "other.csv"]
        );
        assert_eq!(
            loaded.store.total_requests(),
            4,
            "two distinct files of two requests each"
        );
        assert_eq!(
            loaded.duplicates.iter().map(Duplicate::message).collect::<Vec<_>>(),
            [
                "usage.csv was chosen twice; it was read once.".to_owned(),
                "copy.csv has the same size and content as usage.csv; it was read once, so nothing is counted twice."
                    .to_owned(),
            ]
        );
        let load = Load::new(
            vec![
                FileInfo {
                    name: "a".into(),
                    size: 10,
                },
                FileInfo {
                    name: "b".into(),
                    size: 11,
                },
            ],
            Mappings::new(),
        )
        .unwrap();
        assert!(load.to_hash().is_empty(), "files of different sizes are never hashed");
    }

    // Guards that a confirmed column choice that reads no rows fails with the columns
    // that were used (to offer "Change columns…") and is not among the mappings worth saving; one
    // that reads rows is.
    #[test]
    fn a_mapping_that_reads_nothing_is_not_kept() {
        let csv = "date,time,status,client\n2026-11-20,10:00,200,a\n2026-11-20,11:00,500,b\n";
        let first = load_in_memory(&[("t.csv", csv.as_bytes())], Mappings::new(), 64).unwrap_err();
        let LoadError::NeedsMapping { proposal, .. } = first else {
            panic!("{first:?}")
        };
        assert!(proposal.ambiguous.contains(&Field::Time));
        let key = proposal.header_key();
        let wrong = ColumnMapping {
            columns: vec![(Field::Time, 1), (Field::Status, 2), (Field::Client, 3)],
        };
        let failed = load_in_memory(
            &[("t.csv", csv.as_bytes())],
            Mappings::from([(key.clone(), wrong.clone())]),
            64,
        )
        .unwrap_err();
        match failed {
            LoadError::NoRows {
                proposal: Some(proposal),
                detail,
                ..
            } => {
                assert_eq!(proposal.mapping, wrong, "the columns used are offered for changing");
                assert!(detail.contains("line 2"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        let right = ColumnMapping {
            columns: vec![(Field::Time, 0), (Field::Status, 2), (Field::Client, 3)],
        };
        let loaded = load_in_memory(
            &[("t.csv", csv.as_bytes())],
            Mappings::from([(key.clone(), right.clone())]),
            64,
        )
        .unwrap();
        assert_eq!(loaded.mappings_used, [(key, right)]);
        assert_eq!(loaded.store.total_requests(), 2);
    }

    // Guards the estimate that refuses a load before the tab runs out of memory: a file whose size
    // says it holds far more records than fit (a fake 5 TB size here) is refused after its first rows,
    // with the estimate in words, and an honest size passes.
    #[test]
    fn a_load_too_big_for_the_tab_is_refused_from_its_first_rows() {
        let mut load = Load::new(
            vec![FileInfo {
                name: "huge.csv".into(),
                size: 5_000_000_000_000,
            }],
            Mappings::new(),
        )
        .unwrap();
        load.begin(0, CSV.as_bytes()).unwrap();
        load.feed(CSV.as_bytes()).unwrap();
        let error = load.check_size(CSV.len() as u64).unwrap_err();
        assert!(
            matches!(error, LoadError::TooBig { estimated, .. } if estimated > MAX_RECORDS),
            "{error:?}"
        );
        assert!(error.to_string().starts_with("huge.csv holds about "), "{error}");
        let mut honest = Load::new(
            vec![FileInfo {
                name: "small.csv".into(),
                size: CSV.len() as u64,
            }],
            Mappings::new(),
        )
        .unwrap();
        honest.begin(0, CSV.as_bytes()).unwrap();
        honest.feed(CSV.as_bytes()).unwrap();
        assert_eq!(honest.check_size(CSV.len() as u64), Ok(()));
    }

    // Guards whole-load failures: nothing chosen, an empty file, and a binary file named by what it is.
    #[test]
    fn unreadable_loads_say_why() {
        assert_eq!(load_in_memory(&[], Mappings::new(), 8).unwrap_err(), LoadError::NoFiles);
        assert_eq!(
            load_in_memory(&[("e.csv", b"")], Mappings::new(), 8)
                .unwrap_err()
                .to_string(),
            "e.csv is empty"
        );
        let png = load_in_memory(&[("chart.csv", b"\x89PNG\r\n\x1a\n0000")], Mappings::new(), 8).unwrap_err();
        assert_eq!(png.to_string(), "chart.csv: this is a PNG image, not a usage export");
    }
}
