//! The dimensions requests are broken down and filtered by, how a store groups them, and what a
//! source says about status codes. A leaf: it uses nothing else in the crate.

/// Something to break requests down by, and to filter by: the `by=` and `f=` names of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Client,
    /// URL template (any method).
    Template,
    Method,
    /// The exact status code.
    Status,
    /// The status class (2xx, 3xx, 4xx, 429, 5xx, other).
    Class,
    /// Module or API area.
    Module,
    Ip,
    User,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Client,
        Dimension::Template,
        Dimension::Method,
        Dimension::Status,
        Dimension::Class,
        Dimension::Module,
        Dimension::Ip,
        Dimension::User,
    ];

    /// The name in a link (`by=ip`, `f=client:…`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::Client => "client",
            Dimension::Template => "template",
            Dimension::Method => "method",
            Dimension::Status => "status",
            Dimension::Class => "class",
            Dimension::Module => "module",
            Dimension::Ip => "ip",
            Dimension::User => "user",
        }
    }

    pub fn parse(text: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// What a person calls one value of it.
    pub const fn label(self) -> &'static str {
        match self {
            Dimension::Client => "Client",
            Dimension::Template => "URL template",
            Dimension::Method => "Method",
            Dimension::Status => "Status code",
            Dimension::Class => "Status class",
            Dimension::Module => "Module",
            Dimension::Ip => "IP address",
            Dimension::User => "User",
        }
    }

    /// What a person calls several of them.
    pub const fn plural(self) -> &'static str {
        match self {
            Dimension::Client => "clients",
            Dimension::Template => "URL templates",
            Dimension::Method => "methods",
            Dimension::Status => "status codes",
            Dimension::Class => "status classes",
            Dimension::Module => "modules",
            Dimension::Ip => "IP addresses",
            Dimension::User => "users",
        }
    }

    /// The label in a sentence: "IP address", "status code", "URL template".
    pub fn label_lower(self) -> &'static str {
        match self {
            Dimension::Client => "client",
            Dimension::Template => "URL template",
            Dimension::Method => "method",
            Dimension::Status => "status code",
            Dimension::Class => "status class",
            Dimension::Module => "module",
            Dimension::Ip => "IP address",
            Dimension::User => "user",
        }
    }

    /// Whether a dimension has a value per caller (an IP address, a user): so many at scale that a
    /// server lists those with most requests and counts the rest together
    /// ([`crate::store::StoreBuilder::rest`]).
    pub const fn open_ended(self) -> bool {
        matches!(self, Dimension::Ip | Dimension::User)
    }

    /// Whether an empty value means "not known" (no user, IP or module in the record).
    pub(crate) const fn has_unknown(self) -> bool {
        matches!(self, Dimension::Module | Dimension::Ip | Dimension::User)
    }
}

/// How much a source says about status codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StatusDetail {
    /// Each request's exact code (access logs, gateways, Callboard CSV).
    #[default]
    Codes,
    /// Counts per class only (Genesys, 3scale, the usage API): `200` stands for any 2xx.
    Classes,
    /// No status at all (Alma): every request counts as "other".
    Nothing,
}

/// Why a dimension is not offered for the data on screen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error(
        "None of these records names {what}, so there is nothing to break down by {dimension} (Genesys, 3scale and Alma reports do not record them)."
    )]
    NoValues {
        what: &'static str,
        dimension: &'static str,
    },
    #[error(
        "This data counts requests per status class only (2xx, 3xx, 4xx, 429, 5xx), not per code: see Status class."
    )]
    ClassesOnly,
    #[error(
        "This data has no status codes (Alma reports and 3scale hit counts carry none), so every request counts as “other”."
    )]
    NoStatus,
    #[error("The live source does not offer a breakdown by {dimension}: its /meta lists {offered}.")]
    NotOffered { dimension: &'static str, offered: String },
    #[error(
        "This data has no per-request latencies (aggregated reports sum them per bucket), so it has no percentiles."
    )]
    NoLatency,
    #[error("This data has no response sizes.")]
    NoBytes,
    #[error("This data does not measure “{0}”.")]
    NoMeasure(String),
}

/// The dimensions a store's records keep apart. Records fetched from a server already counted
/// (ClickHouse) come grouped by only what a widget shows, each widget's answer in a part of its
/// own ([`UsageStore::part_for`]); a status class is kept apart by its status codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Grouping(u8);

impl Grouping {
    /// Nothing kept apart: a part's records are its buckets' requests.
    pub const NONE: Grouping = Grouping(0);
    /// Every dimension: per-request data, and what a file or the demo holds.
    pub const ALL: Grouping = Grouping(0b1110_1111);

    /// The bit of `dimension`; a status class is its status codes'.
    const fn bit(dimension: Dimension) -> u8 {
        match dimension {
            Dimension::Class => 1 << Dimension::Status as u8,
            d => 1 << d as u8,
        }
    }

    /// These dimensions kept apart.
    pub fn of(dimensions: &[Dimension]) -> Grouping {
        dimensions.iter().copied().collect()
    }

    /// This with `dimension` kept apart too.
    #[must_use]
    pub const fn with(self, dimension: Dimension) -> Grouping {
        Grouping(self.0 | Grouping::bit(dimension))
    }

    /// Both together.
    #[must_use]
    pub const fn and(self, other: Grouping) -> Grouping {
        Grouping(self.0 | other.0)
    }

    /// Whether it keeps every dimension `other` keeps apart.
    pub const fn covers(self, other: Grouping) -> bool {
        other.0 & !self.0 == 0
    }

    /// Whether it keeps `dimension` apart.
    pub const fn has(self, dimension: Dimension) -> bool {
        self.0 & Grouping::bit(dimension) != 0
    }

    /// Its dimensions, in [`Dimension::ALL`]'s order (a status class not named apart).
    pub fn dimensions(self) -> Vec<Dimension> {
        Dimension::ALL
            .into_iter()
            .filter(|&d| d != Dimension::Class && self.has(d))
            .collect()
    }

    /// How many dimensions it keeps apart.
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// As one number, for the worker's hand-over.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// [`Grouping::bits`] read back; `None` for a number no grouping has.
    pub const fn from_bits(bits: u8) -> Option<Grouping> {
        if bits & !Grouping::ALL.0 == 0 {
            Some(Grouping(bits))
        } else {
            None
        }
    }
}

impl FromIterator<Dimension> for Grouping {
    fn from_iter<I: IntoIterator<Item = Dimension>>(dimensions: I) -> Grouping {
        dimensions.into_iter().fold(Grouping::NONE, Grouping::with)
    }
}

/// One filter of a link: `f=<dimension>:<key>`, where the key is a row's `data-key`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Filter {
    pub dimension: Dimension,
    pub key: String,
}

/// `groupings` in their order, each once.
pub fn distinct(groupings: Vec<Grouping>) -> Vec<Grouping> {
    let mut seen = Vec::with_capacity(groupings.len());
    for g in groupings {
        if !seen.contains(&g) {
            seen.push(g);
        }
    }
    seen
}
