//! Packed string tables: every value of a dictionary (client ids, names, templates, IPs…) in
//! one `String`, with the end of each value in a `u32` list.
//!
//! One allocation per table instead of one per value: a million client ids cost their bytes
//! plus 4 bytes each, not 24 bytes of `String` and an allocation each. The two parts are also
//! exactly what a Web Worker hands the page as two typed arrays.

use thiserror::Error;

/// The values of a dictionary, by dense id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StringTable {
    text: String,
    /// `ends[i]` is where value `i` ends in `text` (and `ends[i - 1]` where it starts).
    ends: Vec<u32>,
}

/// Why two parts do not make a string table.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum TableError {
    #[error("the value ends are not in order or run past the text")]
    BadEnds,
    #[error("a value does not start or end between two characters")]
    NotOnCharBoundary,
    #[error("the text is not UTF-8")]
    NotUtf8,
}

impl StringTable {
    pub fn new() -> StringTable {
        StringTable::default()
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Value `id`; the empty string for an id out of range.
    pub fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let Some(&end) = self.ends.get(i) else { return "" };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Adds a value and gives its id.
    pub fn push(&mut self, value: &str) -> u32 {
        self.text.push_str(value);
        self.ends.push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        (self.ends.len() - 1) as u32
    }

    /// Every value, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(move |id| self.get(id))
    }

    /// The id of `value`, by a scan: tables are searched by text only for a link's filter or a
    /// saved selection, never per record.
    pub fn find(&self, value: &str) -> Option<u32> {
        self.iter().position(|v| v == value).map(|i| i as u32)
    }

    /// Whether `value` is one of the values.
    pub fn contains(&self, value: &str) -> bool {
        self.find(value).is_some()
    }

    /// Bytes on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }

    /// The two parts: the text as bytes and the value ends.
    pub fn into_parts(self) -> (Vec<u8>, Vec<u32>) {
        (self.text.into_bytes(), self.ends)
    }

    /// A table from its parts, checked: UTF-8 text, ends in order, on character boundaries.
    pub fn from_parts(text: Vec<u8>, ends: Vec<u32>) -> Result<StringTable, TableError> {
        let text = String::from_utf8(text).map_err(|_| TableError::NotUtf8)?;
        let mut previous = 0u32;
        for &end in &ends {
            if end < previous || end as usize > text.len() {
                return Err(TableError::BadEnds);
            }
            if !text.is_char_boundary(end as usize) {
                return Err(TableError::NotOnCharBoundary);
            }
            previous = end;
        }
        Ok(StringTable { text, ends })
    }
}

/// Compares with a list of values, as tests write them.
impl<const N: usize> PartialEq<[&str; N]> for StringTable {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl<const N: usize> PartialEq<[&str; N]> for &StringTable {
    fn eq(&self, other: &[&str; N]) -> bool {
        (*self).eq(other)
    }
}

impl FromIterator<String> for StringTable {
    fn from_iter<I: IntoIterator<Item = String>>(values: I) -> StringTable {
        let mut table = StringTable::new();
        for value in values {
            table.push(&value);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards lookups by id and by text, the empty string for unknown ids, and multi-byte values.
    #[test]
    fn values_by_id_and_text() {
        let table: StringTable = ["", "Zürich 🚀", "b", ""].into_iter().map(String::from).collect();
        assert_eq!(
            (
                table.len(),
                table.get(0),
                table.get(1),
                table.get(2),
                table.get(3),
                table.get(9)
            ),
            (4, "", "Zürich 🚀", "b", "", "")
        );
        assert_eq!(
            (table.find("b"), table.find(""), table.find("nope")),
            (Some(2), Some(0), None)
        );
        assert_eq!(table.iter().collect::<Vec<_>>(), ["", "Zürich 🚀", "b", ""]);
    }

    // Guards the checked round trip through parts, and that broken parts are refused, not trusted.
    #[test]
    fn parts_round_trip_and_are_checked() {
        let table: StringTable = ["a", "éé", "xyz"].into_iter().map(String::from).collect();
        let (text, ends) = table.clone().into_parts();
        assert_eq!(StringTable::from_parts(text.clone(), ends.clone()), Ok(table));
        assert_eq!(
            StringTable::from_parts(text.clone(), vec![1, 0]),
            Err(TableError::BadEnds)
        );
        assert_eq!(
            StringTable::from_parts(text.clone(), vec![1, 99]),
            Err(TableError::BadEnds)
        );
        assert_eq!(
            StringTable::from_parts(text, vec![2]),
            Err(TableError::NotOnCharBoundary)
        );
        assert_eq!(StringTable::from_parts(vec![0xff], vec![1]), Err(TableError::NotUtf8));
    }
}
