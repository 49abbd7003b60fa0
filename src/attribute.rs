//! A name and its value: an attribute rainv does not interpret but keeps (on `<UPLOADINFO>` and
//! `<UPLOADDATA>`, on a ticket's `<A>`, `<T>` and `<L>`), or a `NAME=value` property of a blob.

use crate::xml::{self, Attr};

/// A name and its value, kept as read so that nothing is lost when the document is written back.
///
/// Where it may be written (which names are free, how long a value may be) is checked by the
/// writer that writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attribute {
    /// The name: an XML attribute's name, or a blob property's text before the first `=`.
    pub name: String,
    /// The value: unescaped, or a blob property's text after the first `=`.
    pub value: String,
}

impl Attribute {
    /// An attribute `name="value"`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Attribute {
        Attribute {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// The attributes of a start tag whose names are not among `known`, in order, kept as read.
pub(crate) fn all_but(attributes: &[Attr<'_>], known: &[&str]) -> Vec<Attribute> {
    let unknown = |a: &&Attr<'_>| !known.iter().any(|k| xml::same_name(a.name, k));
    // Windows writes no others: the common answer without setting up a collection.
    let Some(first) = attributes.iter().position(|a| unknown(&a)) else {
        return Vec::new();
    };
    attributes[first..]
        .iter()
        .filter(unknown)
        .map(|a| Attribute::new(a.name, a.value.as_ref()))
        .collect()
}
