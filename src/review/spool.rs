//! A long list of report entries kept out of memory. When every one of 100,000 grants changes,
//! the report holds a verdict per principal and grant and a diff per file, 80 MB of text; held
//! as values it broke the memory bound (issue 16). Each entry is written as JSON into a
//! [`Spill`] (memory, then one temporary file) and read back one at a time, in the order of
//! the key it was pushed with; only the keys and the slices stay in memory.

use std::fmt;
use std::io;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::outdir::{Blob, Spill};

/// Entries being written; [`SpoolWriter::finish`] orders them by key.
pub struct SpoolWriter<T> {
    spill: Spill,
    index: Vec<(String, Blob)>,
    kind: PhantomData<fn(T)>,
}

impl<T: Serialize> Default for SpoolWriter<T> {
    fn default() -> Self {
        SpoolWriter {
            spill: Spill::default(),
            index: Vec::new(),
            kind: PhantomData,
        }
    }
}

impl<T: Serialize> SpoolWriter<T> {
    /// Adds `item`, to be read back in the order of `key` (pushes with equal keys in the order
    /// they were pushed).
    pub fn push(&mut self, key: &str, item: &T) {
        let bytes = serde_json::to_vec(item).expect("report entries always serialize");
        self.index.push((key.to_owned(), self.spill.keep(bytes)));
    }

    pub fn finish(mut self) -> Spooled<T> {
        self.index.sort_by(|a, b| a.0.cmp(&b.0));
        Spooled {
            entries: self.index.into_iter().map(|(_, blob)| blob).collect(),
            kind: PhantomData,
        }
    }
}

/// A finished list: read back in key order, one entry at a time.
pub struct Spooled<T> {
    entries: Vec<Blob>,
    kind: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned> Spooled<T> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order; an error when the temporary file cannot be read back.
    pub fn iter(&self) -> impl Iterator<Item = io::Result<T>> + '_ {
        (self.entries.iter())
            .map(|blob| serde_json::from_slice(&blob.bytes()?).map_err(io::Error::other))
    }

    /// Every entry, read back whole (for tests and small reports).
    pub fn to_vec(&self) -> io::Result<Vec<T>> {
        self.iter().collect()
    }
}

impl<T: Serialize + DeserializeOwned> From<Vec<T>> for Spooled<T> {
    fn from(items: Vec<T>) -> Spooled<T> {
        let mut w = SpoolWriter::default();
        for (i, item) in items.iter().enumerate() {
            w.push(&format!("{i:020}"), item);
        }
        w.finish()
    }
}

impl<T> fmt::Debug for Spooled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spooled({} entries)", self.entries.len())
    }
}

/// A JSON array written an entry at a time.
impl<T: Serialize + DeserializeOwned> Serialize for Spooled<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self.iter() {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// The schema of the array it stands for.
#[cfg(test)]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Spooled<T> {
    fn inline_schema() -> bool {
        <Vec<T>>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Vec<T>>::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<T>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries come back in key order, equal keys in push order, from memory and from the
    /// temporary file alike, and serialize as the array they stand for.
    #[test]
    fn entries_come_back_in_key_order_past_the_memory_limit() {
        let mut w = SpoolWriter::default();
        let big = "x".repeat(4096);
        let n = 2 * crate::outdir::IN_MEMORY as usize / big.len() + 7;
        for i in (0..n).rev() {
            w.push(&format!("{:08}", i / 2), &(i, big.clone()));
        }
        let s = w.finish();
        assert!(
            s.entries.iter().any(|b| b.in_memory().is_none()),
            "past the limit"
        );
        assert_eq!(s.len(), n);
        let got: Vec<(usize, String)> = s.to_vec().unwrap();
        let keys: Vec<usize> = got.iter().map(|(i, _)| *i / 2).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "sorted by key");
        // Pushed in reverse, so within a key the larger number came first.
        assert_eq!(got[0].0, 1);
        assert_eq!(got[1].0, 0);
        assert!(got.iter().all(|(_, b)| *b == big));
        let small: Spooled<u32> = vec![3, 1, 2].into();
        assert_eq!(serde_json::to_string(&small).unwrap(), "[3,1,2]");
        assert_eq!(small.to_vec().unwrap(), vec![3, 1, 2]);
    }
}
