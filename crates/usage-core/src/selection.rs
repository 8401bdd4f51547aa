//! Which clients and URL templates the charts show, and how that choice is saved.
//!
//! The choice is stored as versioned JSON (the caller keeps it in
//! localStorage under [`STORAGE_KEY`]). Reading never fails: a missing,
//! old-format or corrupt value gives the defaults plus a notice the UI can
//! show quietly.

use crate::query::Row;
use crate::store::{ClientId, TemplateId, UsageStore};

/// The storage key; the version in it changes whenever the stored shape does.
pub const STORAGE_KEY: &str = "callboard.selection.v1";
/// The version written into the stored JSON.
pub const VERSION: u32 = 1;
/// How many clients the default selection shows: the top 5 by requests.
pub const DEFAULT_CLIENTS: usize = 5;
/// The most clients the charts can tell apart (one palette colour each).
pub const MAX_CLIENTS: usize = 10;

/// The user's choice. `None` means "the default" for that dimension:
/// the top 5 clients by requests in the current range, and every URL template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientSelection {
    /// Client ids (stable across loads, unlike [`ClientId`]s).
    pub clients: Option<Vec<String>>,
    /// URL templates.
    pub templates: Option<Vec<String>>,
}

/// Something the UI should tell the user about the stored selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectionNotice {
    /// The stored value was not valid JSON of the expected shape.
    Corrupt,
    /// The stored value was written by another version of Callboard.
    OldFormat { version: u32 },
    /// None of the chosen clients has traffic in this data and range.
    NothingInRange,
    /// None of the chosen URL templates is in this data.
    UnknownTemplates,
}

impl SelectionNotice {
    /// What the notice says to the user.
    pub fn message(&self) -> String {
        match self {
            SelectionNotice::Corrupt => {
                "Your saved client/URL selection could not be read, so the defaults are shown.".into()
            }
            SelectionNotice::OldFormat { version } => format!(
                "Your saved client/URL selection is from an older version (format {version}), so the defaults are shown."
            ),
            SelectionNotice::NothingInRange => {
                "None of your chosen clients has traffic in this range, so the top 5 are shown.".into()
            }
            SelectionNotice::UnknownTemplates => {
                "None of your chosen URL templates is in this data, so every URL template is shown.".into()
            }
        }
    }
}

/// The outcome of reading the stored selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSelection {
    pub selection: ClientSelection,
    pub notice: Option<SelectionNotice>,
}

/// What the storage key held, as a JSON reader saw it: the browser's `JSON.parse` on the page,
/// serde_json natively. [`ClientSelection::from_read`] decides what it means, in one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredRead {
    /// Nothing is stored.
    Absent,
    /// Not JSON, or JSON that is neither a list nor an object.
    Unreadable,
    /// A list: the format before versions.
    List,
    /// An object: its `version` when it is a whole number, and its two lists.
    Object {
        version: Option<u64>,
        clients: ListRead,
        templates: ListRead,
    },
}

/// One list field of a stored selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListRead {
    /// Absent or `null`: the default.
    Default,
    Strings(Vec<String>),
    /// Anything else: the value is corrupt.
    Broken,
}

/// The selection resolved against loaded data: the ids the queries take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedSelection {
    /// Clients to chart, in rank order (most requests first).
    pub clients: Vec<ClientId>,
    /// Templates in scope; `None` = all.
    pub templates: Option<Vec<TemplateId>>,
    /// What fell back to the defaults, and why.
    pub notices: Vec<SelectionNotice>,
}

impl ClientSelection {
    /// The default choice: top 5 clients, all templates.
    pub fn defaults() -> ClientSelection {
        ClientSelection::default()
    }

    pub fn is_default(&self) -> bool {
        self.clients.is_none() && self.templates.is_none()
    }

    /// The JSON to store: `{"version":1,"clients":[…]|null,"templates":[…]|null}`.
    pub fn to_stored(&self) -> String {
        let mut out = format!(r#"{{"version":{VERSION},"clients":"#);
        crate::json::strings(&mut out, self.clients.as_deref());
        out.push_str(r#","templates":"#);
        crate::json::strings(&mut out, self.templates.as_deref());
        out.push('}');
        out
    }

    /// Reads a stored value with serde_json; `None` (nothing stored) gives the defaults without a notice.
    pub fn from_stored(text: Option<&str>) -> StoredSelection {
        use serde_json::Value;
        let list = |value: Option<&Value>| match value {
            None | Some(Value::Null) => ListRead::Default,
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map_or(ListRead::Broken, ListRead::Strings),
            Some(_) => ListRead::Broken,
        };
        let read = match text.map(serde_json::from_str::<Value>) {
            None => StoredRead::Absent,
            Some(Err(_)) => StoredRead::Unreadable,
            Some(Ok(Value::Array(_))) => StoredRead::List,
            Some(Ok(value @ Value::Object(_))) => StoredRead::Object {
                version: value.get("version").and_then(Value::as_u64),
                clients: list(value.get("clients")),
                templates: list(value.get("templates")),
            },
            Some(Ok(_)) => StoredRead::Unreadable,
        };
        ClientSelection::from_read(read)
    }

    /// What a stored value means. Reading never fails: nothing stored gives the defaults without
    /// a notice; a list (before format 1), another version or anything broken gives the defaults
    /// with a notice.
    pub fn from_read(read: StoredRead) -> StoredSelection {
        let fallback = |notice| StoredSelection {
            selection: ClientSelection::defaults(),
            notice: Some(notice),
        };
        let field = |list: ListRead| match list {
            ListRead::Default => Ok(None),
            ListRead::Strings(values) => Ok(Some(values)),
            ListRead::Broken => Err(()),
        };
        match read {
            StoredRead::Absent => StoredSelection {
                selection: ClientSelection::defaults(),
                notice: None,
            },
            StoredRead::Unreadable | StoredRead::Object { version: None, .. } => fallback(SelectionNotice::Corrupt),
            StoredRead::List => fallback(SelectionNotice::OldFormat { version: 0 }),
            StoredRead::Object {
                version: Some(v),
                clients,
                templates,
            } if v == u64::from(VERSION) => match (field(clients), field(templates)) {
                (Ok(clients), Ok(templates)) => StoredSelection {
                    selection: ClientSelection { clients, templates },
                    notice: None,
                },
                _ => fallback(SelectionNotice::Corrupt),
            },
            StoredRead::Object { version: Some(v), .. } => fallback(SelectionNotice::OldFormat {
                version: u32::try_from(v).unwrap_or(u32::MAX),
            }),
        }
    }

    /// Resolves the choice against `store`, given the clients `ranked` by requests in the range.
    ///
    /// Unknown ids (from another dataset) are dropped. If no chosen client has traffic in
    /// the range, the default top 5 is used with a notice; if none of the chosen templates is
    /// in the data, every template is, with a notice: never an empty chart without a word.
    pub fn resolve(&self, store: &UsageStore, ranked: &[Row]) -> ResolvedSelection {
        let top = |n: usize| ranked.iter().take(n).map(|u| u.key).collect::<Vec<_>>();
        let mut notices = Vec::new();
        let (clients, notice) = match &self.clients {
            None => (top(DEFAULT_CLIENTS), None),
            Some(ids) => {
                let chosen: Vec<ClientId> = ranked
                    .iter()
                    .map(|u| u.key)
                    .filter(|&c| {
                        store
                            .client_info(c)
                            .is_some_and(|info| ids.iter().any(|id| id == info.id))
                    })
                    .take(MAX_CLIENTS)
                    .collect();
                if chosen.is_empty() {
                    (top(DEFAULT_CLIENTS), Some(SelectionNotice::NothingInRange))
                } else {
                    (chosen, None)
                }
            }
        };
        notices.extend(notice);
        let templates = match &self.templates {
            None => None,
            Some(names) => {
                let known: Vec<TemplateId> = names.iter().filter_map(|name| store.template_by_name(name)).collect();
                if known.is_empty() {
                    notices.push(SelectionNotice::UnknownTemplates);
                    None
                } else {
                    Some(known)
                }
            }
        };
        ResolvedSelection {
            clients,
            templates,
            notices,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BucketWidth, UsageRecord};
    use crate::query::{DaySpan, RecordFilter};

    fn store() -> UsageStore {
        let records: Vec<UsageRecord> = (0..7u64)
            .map(|i| UsageRecord {
                timestamp: 0,
                bucket: BucketWidth::Day,
                client_id: format!("c{i}"),
                client_name: format!("Client {i}"),
                method: "GET".into(),
                template: format!("/t{}", i % 3),
                status: 200,
                requests: 100 - i,
                ..UsageRecord::default()
            })
            .collect();
        UsageStore::from_records(&records).unwrap()
    }

    // Guards the round trip through storage and the versioned shape that old readers rely on.
    #[test]
    fn round_trips_through_storage() {
        let selection = ClientSelection {
            clients: Some(vec!["c3".into(), "c1".into()]),
            templates: Some(vec!["/t0".into()]),
        };
        let text = selection.to_stored();
        assert_eq!(text, r#"{"version":1,"clients":["c3","c1"],"templates":["/t0"]}"#);
        assert_eq!(
            ClientSelection::defaults().to_stored(),
            r#"{"version":1,"clients":null,"templates":null}"#
        );
        assert_eq!(
            ClientSelection::from_stored(Some(&text)),
            StoredSelection {
                selection,
                notice: None
            }
        );
    }

    // Guards that nothing stored means defaults without any notice.
    #[test]
    fn missing_value_gives_quiet_defaults() {
        let read = ClientSelection::from_stored(None);
        assert!(read.selection.is_default());
        assert_eq!(read.notice, None);
    }

    // Guards that corrupt and old values fall back to the defaults with the right notice.
    #[test]
    fn corrupt_and_old_values_fall_back() {
        let cases = [
            ("{not json", SelectionNotice::Corrupt),
            ("", SelectionNotice::Corrupt),
            ("42", SelectionNotice::Corrupt),
            (r#"{"version":1,"clients":"c1"}"#, SelectionNotice::Corrupt),
            (r#"{"clients":["c1"]}"#, SelectionNotice::Corrupt),
            (r#"["c1","c2"]"#, SelectionNotice::OldFormat { version: 0 }),
            (
                r#"{"version":7,"clients":["c1"]}"#,
                SelectionNotice::OldFormat { version: 7 },
            ),
        ];
        for (text, notice) in cases {
            let read = ClientSelection::from_stored(Some(text));
            assert!(read.selection.is_default(), "{text}");
            assert_eq!(read.notice, Some(notice), "{text}");
        }
    }

    // Guards the default (top 5 by requests) and restoring it after a custom choice.
    #[test]
    fn defaults_are_the_top_five() {
        let store = store();
        let ranked = store
            .breakdown(
                DaySpan { start: 0, end: 1 },
                crate::query::Dimension::Client,
                &RecordFilter::all(),
                false,
            )
            .rows;
        let resolved = ClientSelection::defaults().resolve(&store, &ranked);
        let ids: Vec<&str> = resolved.clients.iter().map(|&c| store.client_id(c)).collect();
        assert_eq!(ids, ["c0", "c1", "c2", "c3", "c4"]);
        assert_eq!(resolved.templates, None);

        let custom = ClientSelection {
            clients: Some(vec!["c6".into(), "c5".into()]),
            templates: Some(vec!["/t1".into(), "/gone".into()]),
        };
        let resolved = custom.resolve(&store, &ranked);
        let ids: Vec<&str> = resolved.clients.iter().map(|&c| store.client_id(c)).collect();
        assert_eq!(ids, ["c5", "c6"]);
        assert_eq!(resolved.templates, Some(vec![store.template_by_name("/t1").unwrap()]));
    }

    // Guards that a selection naming only clients absent from the data falls back rather than charting nothing.
    #[test]
    fn unknown_clients_fall_back_to_defaults() {
        let store = store();
        let ranked = store
            .breakdown(
                DaySpan { start: 0, end: 1 },
                crate::query::Dimension::Client,
                &RecordFilter::all(),
                false,
            )
            .rows;
        let resolved = ClientSelection {
            clients: Some(vec!["nobody".into()]),
            templates: None,
        }
        .resolve(&store, &ranked);
        assert_eq!(resolved.clients.len(), 5);
        assert_eq!(resolved.notices, [SelectionNotice::NothingInRange]);
    }

    // Guards a stored URL selection that names only templates this data lacks: every template is
    // shown, with the quiet notice, instead of empty charts.
    #[test]
    fn unknown_templates_fall_back_to_all_with_a_notice() {
        let store = store();
        let ranked = store
            .breakdown(
                DaySpan { start: 0, end: 1 },
                crate::query::Dimension::Client,
                &RecordFilter::all(),
                false,
            )
            .rows;
        let resolved = ClientSelection {
            clients: None,
            templates: Some(vec!["/gone".into(), "/also-gone".into()]),
        }
        .resolve(&store, &ranked);
        assert_eq!(resolved.templates, None);
        assert_eq!(resolved.notices, [SelectionNotice::UnknownTemplates]);
        assert!(
            SelectionNotice::UnknownTemplates
                .message()
                .contains("every URL template is shown")
        );
        let partly = ClientSelection {
            clients: None,
            templates: Some(vec!["/gone".into(), "/t1".into()]),
        }
        .resolve(&store, &ranked);
        assert_eq!(partly.templates, Some(vec![store.template_by_name("/t1").unwrap()]));
        assert!(partly.notices.is_empty());
    }
}
