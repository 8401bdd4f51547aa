//! Writing the little JSON Callboard produces itself (its JSON export and the saved selection).
//!
//! Reading JSON is serde_json's job (the readers, in the ingest worker). Writing these two flat
//! shapes only takes escaping strings as RFC 8259 asks, and keeps serde_json's machinery out of the
//! page's first download. Tests check the output against serde_json.

/// Appends `text` as a JSON string: quoted, with `"`, `\` and control characters escaped.
pub fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a list of strings, or `null`.
pub fn strings(out: &mut String, values: Option<&[String]>) {
    let Some(values) = values else {
        out.push_str("null");
        return;
    };
    out.push('[');
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, value);
    }
    out.push(']');
}

/// Appends a number, or `null`.
pub fn number(out: &mut String, value: Option<u64>) {
    match value {
        Some(n) => out.push_str(&n.to_string()),
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards escaping against serde_json on every kind of character that needs it.
    #[test]
    fn strings_match_serde_json() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "lines\nand\rtabs\t",
            "\u{0}\u{1f}\u{7f}\u{08}\u{0c}",
            "Zürich 🚀 \u{202E}",
            "",
        ] {
            let mut out = String::new();
            string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap());
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
        }
    }
}
