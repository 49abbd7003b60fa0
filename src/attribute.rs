//! A name and its value: an attribute rainv does not interpret but keeps (on `<UPLOADDATA>`,
//! on a ticket's `<A>`), or a `NAME=value` property of a blob.

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
