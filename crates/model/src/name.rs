//! Names and descriptions, validated once at the boundary.

use std::fmt;

use crate::error::Error;

/// A resource name: 1 to 64 letters, digits, `_`, `-` or `.` (the rule the seeds give for cloud
/// connections and bandwidth packages, used for every resource so that names mean one thing).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub const MAX_LEN: usize = 64;

    pub fn parse(field: &str, s: &str) -> Result<Name, Error> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if ok {
            Ok(Name(s.to_owned()))
        } else {
            Err(Error::InvalidName { field: field.to_owned(), value: s.to_owned() })
        }
    }

    /// Wraps a name read back from the store.
    pub fn from_trusted(s: String) -> Name {
        Name(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Name::parse("name", &s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Name {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string_with_pattern("^[A-Za-z0-9_.-]{1,64}$")
    }
}
impl utoipa::ToSchema for Name {}

/// A free-text description: at most 255 characters, no control characters. Empty by default.
#[derive(Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(field: &str, s: &str) -> Result<Description, Error> {
        if s.chars().count() <= Self::MAX_CHARS && !s.chars().any(|c| c.is_control() || reorders(c)) {
            Ok(Description(s.to_owned()))
        } else {
            Err(Error::InvalidDescription { field: field.to_owned() })
        }
    }

    pub fn from_trusted(s: String) -> Description {
        Description(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Unicode's bidirectional embeddings, overrides and isolates (and the marks): invisible, they
/// make a description read in another order than it is stored (`Trojan Source`), in the console
/// and in a terminal alike. Control characters are refused for the same reason.
fn reorders(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Debug for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Description {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Description::parse("description", &s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Description {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        // `reorders` below, as ranges of a regular expression.
        let pattern = format!("^[^{}\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$", crate::schema::CONTROL);
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(Self::MAX_CHARS))
            .pattern(Some(pattern))
            .into()
    }
}
impl utoipa::ToSchema for Description {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        assert!(Name::parse("name", "CC_01").is_ok());
        assert!(Name::parse("name", "daikuaibao1").is_ok());
        assert!(Name::parse("name", "a.b-c_d").is_ok());
        assert!(Name::parse("name", &"x".repeat(64)).is_ok());
        for bad in ["", "has space", "ünï", &"x".repeat(65), "semi;colon"] {
            let e = Name::parse("name", bad).unwrap_err();
            assert_eq!(e.code(), "InvalidName", "{bad}");
        }
    }

    #[test]
    fn descriptions_are_bounded() {
        assert!(Description::parse("description", &"é".repeat(255)).is_ok());
        assert!(Description::parse("description", &"é".repeat(256)).is_err());
        assert!(Description::parse("description", "line\nbreak").is_err());
        assert!(Description::parse("description", "admin\u{202e}txt.exe").is_err(), "right-to-left override");
        assert!(Description::parse("description", "a\u{2066}b\u{2069}").is_err(), "isolates");
        assert!(Description::parse("description", "مرحبا, שלום and 中文").is_ok(), "right-to-left text itself is fine");
    }
}
