//! Length-prefixed property blobs: `<n>;NAME=value<n>;NAME=value...`.
//!
//! `n` counts the characters of `NAME=value`. Two are defined: the expert blob (NAME and PASS)
//! and MS-RAI's user help blob (UNSOLICITED and ID).

use crate::attribute::Attribute;
use crate::error::{Error, Result, quote_value};

/// Parse a blob into its pairs, in order.
pub fn parse(blob: &str) -> Result<Vec<Attribute>> {
    let mut properties = Vec::new();
    let mut rest = blob;
    while !rest.is_empty() {
        let (length, after) = rest.split_once(';').ok_or_else(|| {
            Error::Blob(format!(
                "no ';' after the length in \"{}\"",
                quote_value(rest)
            ))
        })?;
        let valid = !length.is_empty()
            && length.len() <= MAX_PAIR_CHARS.to_string().len()
            && length.bytes().all(|b| b.is_ascii_digit());
        let count: usize = length.parse().ok().filter(|_| valid).ok_or_else(|| {
            Error::Blob(format!(
                "length \"{}\" is not a number",
                quote_value(length)
            ))
        })?;
        let end = after
            .char_indices()
            .nth(count)
            .map_or(after.len(), |(i, _)| i);
        let pair = &after[..end];
        if pair.chars().count() != count {
            return Err(Error::Blob(format!(
                "length {count} runs past the end of the blob"
            )));
        }
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| Error::Blob(format!("\"{}\" has no '='", quote_value(pair))))?;
        properties.push(Attribute {
            name: name.to_string(),
            value: value.to_string(),
        });
        rest = &after[end..];
    }
    Ok(properties)
}

/// Format pairs as a blob. A name with `=` in it, or a pair longer than a length field can
/// say, would not read back, and is an error.
pub fn format<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<String> {
    let mut out = String::new();
    for (name, value) in pairs {
        if name.contains('=') {
            return Err(Error::Blob(format!(
                "property name \"{}\" contains '=', which ends a name",
                quote_value(name)
            )));
        }
        let count = name.chars().count() + 1 + value.chars().count();
        if count > MAX_PAIR_CHARS {
            return Err(Error::Blob(format!(
                "property {} is {count} characters, above the {MAX_PAIR_CHARS} a length field holds",
                quote_value(name)
            )));
        }
        out.push_str(&format!("{count};{name}={value}"));
    }
    Ok(out)
}

/// The longest `NAME=value` a length field (at most six digits) can count.
const MAX_PAIR_CHARS: usize = 999_999;

fn only<'p>(properties: &'p [Attribute], name: &str) -> Result<&'p str> {
    let mut found = properties.iter().filter(|p| p.name == name);
    match (found.next(), found.next()) {
        (Some(p), None) => Ok(&p.value),
        (None, _) => Err(Error::Blob(format!("no {name} property"))),
        _ => Err(Error::Blob(format!("more than one {name} property"))),
    }
}

/// The blob an expert sends: its name and the encrypted PassStub.
///
/// Made by [`ExpertBlob::new`] or [`ExpertBlob::parse`]; its text (`to_string`) reads back
/// equal. Its `Debug` output leaves out the PASS value, which allows offline password guessing.
#[derive(Clone, PartialEq, Eq)]
pub struct ExpertBlob {
    name: String,
    pass: String,
}

impl std::fmt::Debug for ExpertBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpertBlob")
            .field("name", &self.name)
            .field("pass", &crate::crypto::Redacted)
            .finish()
    }
}

impl ExpertBlob {
    /// The blob for the expert `name` and the PASS value (from
    /// [`pass_stub::encrypt`](crate::pass_stub::encrypt)).
    pub fn new(name: impl Into<String>, pass: impl Into<String>) -> Result<ExpertBlob> {
        let blob = ExpertBlob {
            name: name.into(),
            pass: pass.into(),
        };
        format(blob.pairs())?;
        Ok(blob)
    }

    /// The expert's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The PASS value: hex of the encrypted PassStub.
    pub fn pass(&self) -> &str {
        &self.pass
    }

    fn pairs(&self) -> [(&str, &str); 2] {
        [("NAME", &self.name), ("PASS", &self.pass)]
    }

    /// Parse `n;NAME=...n;PASS=...`.
    pub fn parse(blob: &str) -> Result<ExpertBlob> {
        let properties = parse(blob)?;
        if let Some(other) = properties
            .iter()
            .find(|p| p.name != "NAME" && p.name != "PASS")
        {
            return Err(Error::Blob(format!(
                "unexpected property {} in an expert blob",
                quote_value(&other.name)
            )));
        }
        Ok(ExpertBlob {
            name: only(&properties, "NAME")?.to_string(),
            pass: only(&properties, "PASS")?.to_string(),
        })
    }
}

impl std::fmt::Display for ExpertBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Checked when made, so this cannot fail.
        f.write_str(&format(self.pairs()).map_err(|_| std::fmt::Error)?)
    }
}

/// MS-RAI's user help blob (RemoteConnectionParms): who is offering unsolicited help.
///
/// Made by [`UserHelpBlob::new`] or [`UserHelpBlob::parse`]; its text reads back equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserHelpBlob {
    unsolicited: String,
    id: String,
}

impl UserHelpBlob {
    /// The blob for an UNSOLICITED value (MS-RAI gives 1) and the expert's
    /// `DomainName\UserName`.
    pub fn new(unsolicited: impl Into<String>, id: impl Into<String>) -> Result<UserHelpBlob> {
        let blob = UserHelpBlob {
            unsolicited: unsolicited.into(),
            id: id.into(),
        };
        format(blob.pairs())?;
        Ok(blob)
    }

    /// The UNSOLICITED value (MS-RAI gives 1).
    pub fn unsolicited(&self) -> &str {
        &self.unsolicited
    }

    /// `DomainName\UserName` of the expert.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn pairs(&self) -> [(&str, &str); 2] {
        [("UNSOLICITED", &self.unsolicited), ("ID", &self.id)]
    }

    /// Parse `n;UNSOLICITED=1n;ID=DOMAIN\USER`.
    pub fn parse(blob: &str) -> Result<UserHelpBlob> {
        let properties = parse(blob)?;
        Ok(UserHelpBlob {
            unsolicited: only(&properties, "UNSOLICITED")?.to_string(),
            id: only(&properties, "ID")?.to_string(),
        })
    }

    /// The domain and user parts of the ID, if it has a backslash.
    pub fn domain_and_user(&self) -> Option<(&str, &str)> {
        self.id.split_once('\\')
    }
}

impl std::fmt::Display for UserHelpBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Checked when made, so this cannot fail.
        f.write_str(&format(self.pairs()).map_err(|_| std::fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_examples() {
        let expert = "20;NAME=Edgar Olougouna69;PASS=3C9CAE0BCE7AB15C8AAC01D676045EDF3FFAF092E2DE368A2017E68A0DED7C90";
        let blob = ExpertBlob::parse(expert).unwrap();
        assert_eq!(blob.name, "Edgar Olougouna");
        assert_eq!(blob.to_string(), expert);

        let help = UserHelpBlob::parse("13;UNSOLICITED=118;ID=EXDOMAIN\\EXUSER").unwrap();
        assert_eq!(help.unsolicited, "1");
        assert_eq!(help.domain_and_user(), Some(("EXDOMAIN", "EXUSER")));
        assert_eq!(help.to_string(), "13;UNSOLICITED=118;ID=EXDOMAIN\\EXUSER");
    }

    #[test]
    fn counts_characters_not_bytes_and_refuses_bad_lengths() {
        let blob = format([("NAME", "Zoë"), ("PASS", "00")]).unwrap();
        assert_eq!(blob, "8;NAME=Zoë7;PASS=00");
        assert_eq!(ExpertBlob::parse(&blob).unwrap().name(), "Zoë");
        let expert = ExpertBlob::parse(&blob).unwrap();
        assert_eq!(
            format!("{expert:?}"),
            r#"ExpertBlob { name: "Zoë", pass: <redacted> }"#
        );
        for bad in [
            "99;NAME=x",
            "x;NAME=x",
            "4;NAMEx",
            "NAME=x",
            "5;NAME=x5;NAME=y",
        ] {
            assert!(ExpertBlob::parse(bad).is_err(), "{bad}");
        }
    }
}
