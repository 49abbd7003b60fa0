//! A name and its value: an attribute rainv does not interpret but keeps (on `<UPLOADDATA>`,
//! on a ticket's `<A>`), or a `NAME=value` property of a blob.

/// A name and its value, kept as read so that nothing is lost when the document is written back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The name: an XML attribute's name, or a blob property's text before the first `=`.
    pub name: String,
    /// The value: unescaped, or a blob property's text after the first `=`.
    pub value: String,
}
