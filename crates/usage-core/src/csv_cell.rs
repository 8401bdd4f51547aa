//! CSV cells that are safe to open in a spreadsheet: text that looks like a formula is written
//! so that it shows as text, and read back as it was. A leaf: it uses nothing else in the crate.

/// Whether a spreadsheet would take a cell for a formula (OWASP's CSV-injection list): it starts
/// with `=`, `+`, `@`, a tab or a CR, or with `-` unless it is a plain negative number.
fn is_formula_like(text: &[u8]) -> bool {
    match text.first() {
        Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => true,
        Some(b'-') => !is_plain_number(&text[1..]),
        _ => false,
    }
}

/// `12`, `3.5`: digits with at most one decimal point.
fn is_plain_number(text: &[u8]) -> bool {
    let mut parts = text.splitn(2, |&b| b == b'.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    !whole.is_empty()
        && whole.iter().all(u8::is_ascii_digit)
        && fraction.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

/// A text cell made safe to open in a spreadsheet: a formula-like text gets a leading `'`, which
/// spreadsheets show as text. A text that already starts with quotes before something formula-like
/// gets one more, so that [`restore_text`] can always take exactly one away.
pub fn neutralise_text(text: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(text.trim_start_matches('\'').as_bytes()) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The text [`neutralise_text`] was given: one leading `'` is taken away where it added one.
pub fn restore_text(cell: &[u8]) -> &[u8] {
    match cell.strip_prefix(b"'") {
        Some(rest) if is_formula_like(rest.iter().position(|&b| b != b'\'').map_or(&[][..], |i| &rest[i..])) => rest,
        _ => cell,
    }
}

/// Appends one text cell: neutralised against formulas, then quoted as RFC 4180 needs.
pub fn csv_field(out: &mut String, text: &str) {
    let text = neutralise_text(text);
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}
