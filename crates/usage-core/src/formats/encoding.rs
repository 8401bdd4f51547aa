//! The text encoding of an export, found from its first bytes, and a streaming decoder that
//! turns every supported encoding into UTF-8 with `\n` line ends, so that the readers only
//! ever see one kind of text.
//!
//! Spreadsheet programs on Windows save "Unicode text" as UTF-16 with a byte-order mark,
//! and old Mac tools end lines with a lone CR. Both are read; UTF-16 without a byte-order
//! mark cannot be told apart reliably from binary data, so it gets its own message.

use std::borrow::Cow;

use super::ReadError;

/// How an export's text is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (or ASCII), lines ended by LF or CRLF: read as it is.
    Utf8,
    /// UTF-8 whose lines end with a lone CR.
    Utf8CrLines,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    /// Recognises the encoding from the first bytes of a file.
    pub fn sniff(head: &[u8]) -> Result<TextEncoding, ReadError> {
        if head.starts_with(b"\xFF\xFE") {
            return Ok(TextEncoding::Utf16Le);
        }
        if head.starts_with(b"\xFE\xFF") {
            return Ok(TextEncoding::Utf16Be);
        }
        if looks_like_utf16(head) {
            return Err(ReadError::Utf16WithoutBom);
        }
        let has = |b: u8| memchr::memchr(b, head).is_some();
        Ok(if has(b'\r') && !has(b'\n') {
            TextEncoding::Utf8CrLines
        } else {
            TextEncoding::Utf8
        })
    }

    /// What the read report says about it; nothing for plain UTF-8.
    pub fn note(self) -> Option<&'static str> {
        match self {
            TextEncoding::Utf8 => None,
            TextEncoding::Utf8CrLines => Some("lines end with a lone CR (old Mac line ends); read as ordinary lines"),
            TextEncoding::Utf16Le => Some("UTF-16 (little-endian) text; converted to UTF-8 as it was read"),
            TextEncoding::Utf16Be => Some("UTF-16 (big-endian) text; converted to UTF-8 as it was read"),
        }
    }
}

/// ASCII text saved as UTF-16 has a NUL in every other byte.
fn looks_like_utf16(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(512) & !1];
    if sample.len() < 8 {
        return false;
    }
    let zeros = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let half = sample.len() / 2;
    let (even, odd) = (zeros(0), zeros(1));
    (odd * 10 >= half * 9 && even * 10 < half) || (even * 10 >= half * 9 && odd * 10 < half)
}

/// Turns chunks of a file in one [`TextEncoding`] into UTF-8 with `\n` line ends. A code unit
/// or surrogate pair cut between chunks is carried to the next one; unpaired surrogates
/// become U+FFFD, as the browser's own decoder does.
#[derive(Debug)]
pub struct TextDecoder {
    encoding: TextEncoding,
    /// A byte of a UTF-16 code unit cut off at the end of the last chunk.
    odd_byte: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    started: bool,
}

impl TextDecoder {
    pub fn new(encoding: TextEncoding) -> TextDecoder {
        TextDecoder {
            encoding,
            odd_byte: None,
            high: None,
            started: false,
        }
    }

    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// The UTF-8 text of `chunk`; `last` says no more follows, so nothing may be held back.
    pub fn decode<'a>(&mut self, chunk: &'a [u8], last: bool) -> Cow<'a, [u8]> {
        match self.encoding {
            TextEncoding::Utf8 => Cow::Borrowed(chunk),
            TextEncoding::Utf8CrLines => {
                Cow::Owned(chunk.iter().map(|&b| if b == b'\r' { b'\n' } else { b }).collect())
            }
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => Cow::Owned(self.decode_utf16(chunk, last)),
        }
    }

    fn decode_utf16(&mut self, chunk: &[u8], last: bool) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(chunk.len() + 1);
        bytes.extend(self.odd_byte.take());
        bytes.extend_from_slice(chunk);
        if bytes.len() % 2 == 1 {
            self.odd_byte = bytes.pop();
        }
        let little = self.encoding == TextEncoding::Utf16Le;
        let mut units: Vec<u16> = Vec::with_capacity(bytes.len() / 2 + 1);
        units.extend(self.high.take());
        units.extend(bytes.chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        }));
        // Skip the byte-order mark itself.
        if !self.started && units.first() == Some(&0xFEFF) {
            units.remove(0);
        }
        self.started |= !units.is_empty();
        // Hold back a trailing high surrogate: its pair may start the next chunk.
        if !last && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            self.high = units.pop();
        }
        let mut out = String::with_capacity(units.len());
        out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        if last && self.odd_byte.take().is_some() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
        out.into_bytes()
    }
}

/// Decodes a whole byte string (the head of a file, a test fixture).
pub fn decode_all(encoding: TextEncoding, bytes: &[u8]) -> Vec<u8> {
    TextDecoder::new(encoding).decode(bytes, true).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut out = if little { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
        for unit in text.encode_utf16() {
            out.extend(if little { unit.to_le_bytes() } else { unit.to_be_bytes() });
        }
        out
    }

    // Guards UTF-16 in both byte orders, fed in every chunk size, with a surrogate pair (an emoji)
    // and a code unit cut between chunks.
    #[test]
    fn utf16_decodes_in_any_chunking() {
        let text = "timestamp,client,status\n2026-11-20T10:00:00Z,Zürich 🚀,200\n";
        for little in [true, false] {
            let bytes = utf16(text, little);
            assert_eq!(
                TextEncoding::sniff(&bytes),
                Ok(if little {
                    TextEncoding::Utf16Le
                } else {
                    TextEncoding::Utf16Be
                })
            );
            for size in [1, 2, 3, 5, 64] {
                let mut decoder = TextDecoder::new(TextEncoding::sniff(&bytes).unwrap());
                let mut out = Vec::new();
                let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
                for (i, chunk) in chunks.iter().enumerate() {
                    out.extend_from_slice(&decoder.decode(chunk, i + 1 == chunks.len()));
                }
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    text,
                    "chunks of {size}, little-endian {little}"
                );
            }
        }
    }

    // Guards broken UTF-16: a lone surrogate and an odd last byte become U+FFFD, not a panic.
    #[test]
    fn broken_utf16_becomes_replacement_characters() {
        let bytes = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, b'c'];
        assert_eq!(
            String::from_utf8(decode_all(TextEncoding::Utf16Le, &bytes)).unwrap(),
            "a\u{FFFD}b\u{FFFD}"
        );
    }

    // Guards CR-only line ends, and that CRLF files stay plain UTF-8.
    #[test]
    fn cr_only_lines_become_lf() {
        let head = b"timestamp,client_id,status\r2026-11-20T10:00:00Z,a,200\r";
        assert_eq!(TextEncoding::sniff(head), Ok(TextEncoding::Utf8CrLines));
        assert_eq!(
            decode_all(TextEncoding::Utf8CrLines, head),
            b"timestamp,client_id,status\n2026-11-20T10:00:00Z,a,200\n"
        );
        assert_eq!(TextEncoding::sniff(b"a,b\r\nc,d\r\n"), Ok(TextEncoding::Utf8));
    }

    // Guards the message for UTF-16 without a byte-order mark, and that real binary is not taken for it.
    #[test]
    fn utf16_without_a_mark_is_named() {
        let mut bytes = utf16("time,status\n2026-11-20,200\n", true);
        bytes.drain(..2);
        assert_eq!(TextEncoding::sniff(&bytes), Err(ReadError::Utf16WithoutBom));
        assert_eq!(
            TextEncoding::sniff(&[0u8; 64]),
            Ok(TextEncoding::Utf8),
            "all NULs: left to the binary check"
        );
    }
}
