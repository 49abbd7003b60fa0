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
        let valid =
            !length.is_empty() && length.len() <= 6 && length.bytes().all(|b| b.is_ascii_digit());
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

/// Format pairs as a blob.
pub fn format<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        let count = name.chars().count() + 1 + value.chars().count();
        out.push_str(&format!("{count};{name}={value}"));
    }
    out
}

fn only<'p>(properties: &'p [Attribute], name: &str) -> Result<&'p str> {
    let mut found = properties.iter().filter(|p| p.name == name);
    match (found.next(), found.next()) {
        (Some(p), None) => Ok(&p.value),
        (None, _) => Err(Error::Blob(format!("no {name} property"))),
        _ => Err(Error::Blob(format!("more than one {name} property"))),
    }
}

/// The blob an expert sends: its name and the encrypted PassStub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertBlob {
    /// The expert's display name.
    pub name: String,
    /// The PASS value: hex of the encrypted PassStub.
    pub pass: String,
}

impl ExpertBlob {
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
        f.write_str(&format([
            ("NAME", self.name.as_str()),
            ("PASS", self.pass.as_str()),
        ]))
    }
}

/// MS-RAI's user help blob (RemoteConnectionParms): who is offering unsolicited help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserHelpBlob {
    /// The UNSOLICITED value (MS-RAI gives 1).
    pub unsolicited: String,
    /// `DomainName\UserName` of the expert.
    pub id: String,
}

impl UserHelpBlob {
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
        f.write_str(&format([
            ("UNSOLICITED", self.unsolicited.as_str()),
            ("ID", self.id.as_str()),
        ]))
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
        let blob = format([("NAME", "Zoë"), ("PASS", "00")]);
        assert_eq!(blob, "8;NAME=Zoë7;PASS=00");
        assert_eq!(ExpertBlob::parse(&blob).unwrap().name, "Zoë");
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
