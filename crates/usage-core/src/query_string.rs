//! Query strings as browsers read and write them: pairs, percent-decoded and in order. A leaf:
//! it uses nothing else in the crate. [`crate::view`] gives the pairs their meaning.

/// Reads a query string (`?view=urls&f=client%3Aapp-1`) into its pairs, percent-decoded and in
/// order, as the browser's `URLSearchParams` does: `+` is a space, a broken escape stays as
/// written, and bytes that are not UTF-8 become U+FFFD.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    let decode = |text: &str| -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => match (
                    bytes.get(i + 1).and_then(|&b| hex(b)),
                    bytes.get(i + 2).and_then(|&b| hex(b)),
                ) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                },
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query
        .strip_prefix('?')
        .unwrap_or(query)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (decode(key), decode(value)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// Writes pairs as a query string, `?` included (empty for no pairs). Everything but letters,
/// digits and `-._~:/,` is percent-encoded, so keys with `&`, `=`, `+`, `#` or spaces survive.
pub fn write_query(pairs: &[(String, String)]) -> String {
    let encode = |out: &mut String, text: &str| {
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() || b"-._~:/,".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    };
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        encode(&mut out, key);
        out.push('=');
        encode(&mut out, value);
    }
    out
}
