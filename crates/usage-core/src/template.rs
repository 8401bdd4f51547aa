//! Folding concrete request paths into URL templates, so that
//! `/users/8812/fees` and `/users/17/fees` count as one `/users/{id}/fees`.
//!
//! A path segment is replaced when it is (checked in this order):
//!
//! | segment                                   | becomes   |
//! |-------------------------------------------|-----------|
//! | a UUID (`3f2b…-…`, 8-4-4-4-12 hex)        | `{uuid}`  |
//! | a date (`2026-11-22`)                     | `{date}`  |
//! | an e-mail address (`ann@example.com`)     | `{email}` |
//! | digits only (`8812`)                      | `{id}`    |
//! | 16 or more hex digits (`a3f9…`)           | `{hash}`  |
//!
//! The query string and fragment are dropped. Sources that carry a template
//! (Genesys `templateUri`, AWS `resourcePath`, a `template` column) are used as given.

/// The rules above, for the UI.
pub const RULES: [(&str, &str); 5] = [
    ("a UUID", "{uuid}"),
    ("a date like 2026-11-22", "{date}"),
    ("an e-mail address", "{email}"),
    ("a number", "{id}"),
    ("16 or more hex digits", "{hash}"),
];

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        }
        None => false,
    }
}

fn fold_segment(segment: &str) -> &str {
    if segment.is_empty() {
        segment
    } else if is_uuid(segment) {
        "{uuid}"
    } else if is_date(segment) {
        "{date}"
    } else if is_email(segment) {
        "{email}"
    } else if segment.bytes().all(|b| b.is_ascii_digit()) {
        "{id}"
    } else if segment.len() >= 16 && segment.bytes().all(|b| b.is_ascii_hexdigit()) {
        "{hash}"
    } else {
        segment
    }
}

/// The template of a concrete path or URL. A full URL keeps only its path.
pub fn fold(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    // `https://host/path` → `/path`.
    let path = match path.find("://") {
        Some(scheme_end) => path[scheme_end + 3..]
            .find('/')
            .map_or("/", |p| &path[scheme_end + 3 + p..]),
        None => path,
    };
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(fold_segment(segment));
    }
    out
}

/// A template as a source gave it, normalised to start with `/` (Genesys may omit it).
pub fn normalise(template: &str) -> String {
    let t = template.trim();
    if t.is_empty() || t.starts_with('/') {
        t.to_owned()
    } else {
        format!("/{t}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards each folding rule and that ordinary words stay.
    #[test]
    fn folds_ids_uuids_hashes_emails_and_dates() {
        let cases = [
            ("/users/8812/fees", "/users/{id}/fees"),
            ("/api/v2/users/8812/fees?page=2#top", "/api/v2/users/{id}/fees"),
            ("/orders/3f2b9c1e-5a4d-4e2b-9c1e-5a4d4e2b9c1e", "/orders/{uuid}"),
            ("/blobs/a3f9b2c4d5e6f708192a3b4c", "/blobs/{hash}"),
            ("/users/ann.smith@example.com/roles", "/users/{email}/roles"),
            ("/reports/2026-11-22/daily", "/reports/{date}/daily"),
            ("/api/v2/cafe/beef", "/api/v2/cafe/beef"),
            ("/v2/users", "/v2/users"),
            ("https://api.example.com/items/42", "/items/{id}"),
            ("/", "/"),
            ("", ""),
        ];
        for (path, template) in cases {
            assert_eq!(fold(path), template, "{path}");
        }
    }

    // Guards Genesys-style templates without a leading slash.
    #[test]
    fn normalises_given_templates() {
        assert_eq!(normalise("api/v2/users/{userId}"), "/api/v2/users/{userId}");
        assert_eq!(normalise("/api/v2/users"), "/api/v2/users");
        assert_eq!(normalise(""), "");
    }
}
