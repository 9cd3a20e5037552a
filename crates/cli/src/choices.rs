//! The arguments with fixed choices (`--protocol tcp`, `--role initiator`, a spec) and the ones
//! naming the catalogue (`--region`, `--zone`, `--area`): what the CLI checks before it sends a
//! request, and what `--help` and the shell completions offer. Every list is read from the
//! model, where the server reads it too, so the CLI cannot offer a word the server refuses nor
//! refuse one it takes.

use std::ffi::OsStr;
use std::sync::OnceLock;

use clap::builder::{PossibleValue, PossibleValuesParser, StringValueParser, TypedValueParser};
use xconnect_model::{
    AccountKind, BillingMode, Catalog, CustomNextHopType, Direction, Policy, PortType, Protocol, RouterInterfaceRole,
    RouterInterfaceSpec, RouterInterfaceStatus,
};

/// A value parser for one fixed word of the model. It takes exactly what the model's own parser
/// takes (`Large 1` for a spec, `active` for a status, as the server does) and passes on the
/// canonical spelling; anything else is refused by clap (exit code 2) with the choices listed.
#[derive(Clone)]
pub struct Words {
    words: Vec<&'static str>,
    /// The model's parser: the canonical spelling of what it takes, `None` for what it refuses.
    parse: fn(&str) -> Option<&'static str>,
}

impl Words {
    fn new(words: impl IntoIterator<Item = &'static str>, parse: fn(&str) -> Option<&'static str>) -> Words {
        Words { words: words.into_iter().collect(), parse }
    }
}

impl TypedValueParser for Words {
    type Value = String;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<String, clap::Error> {
        match value.to_str().and_then(self.parse) {
            Some(word) => Ok(word.to_owned()),
            // clap's own parser of the same words says what is wrong (not UTF-8, or not one of
            // them, listing them) exactly as for any other argument with choices.
            None => PossibleValuesParser::new(self.words.clone()).parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.words.iter().map(|&w| PossibleValue::new(w))))
    }
}

pub fn direction() -> Words {
    Words::new(Direction::ALL.map(Direction::as_str), |s| Direction::parse("", s).ok().map(Direction::as_str))
}

/// A security group rule's protocol.
pub fn rule_protocol() -> Words {
    Words::new(Protocol::ALL.map(Protocol::as_str), |s| Protocol::parse("", s).ok().map(Protocol::as_str))
}

/// A connectivity test's protocol: one packet is of one protocol, so not `all`.
pub fn test_protocol() -> Words {
    Words::new(Protocol::TESTED.map(Protocol::as_str), |s| Protocol::parse_tested("", s).ok().map(Protocol::as_str))
}

pub fn policy() -> Words {
    Words::new(Policy::ALL.map(Policy::as_str), |s| Policy::parse("", s).ok().map(Policy::as_str))
}

pub fn role() -> Words {
    Words::new(RouterInterfaceRole::ALL.map(RouterInterfaceRole::as_str), |s| {
        RouterInterfaceRole::parse("", s).ok().map(RouterInterfaceRole::as_str)
    })
}

/// A router interface's spec, or `Default`, which only an acceptor may say (the server checks
/// which goes with which role).
pub fn spec() -> Words {
    let names = RouterInterfaceSpec::ALL.map(RouterInterfaceSpec::as_str);
    Words::new(names.into_iter().chain([RouterInterfaceSpec::ACCEPTOR_DEFAULT]), |s| {
        if s.trim().eq_ignore_ascii_case(RouterInterfaceSpec::ACCEPTOR_DEFAULT) {
            return Some(RouterInterfaceSpec::ACCEPTOR_DEFAULT);
        }
        RouterInterfaceSpec::parse("", s).ok().map(RouterInterfaceSpec::as_str)
    })
}

pub fn router_interface_status() -> Words {
    Words::new(RouterInterfaceStatus::ALL.map(RouterInterfaceStatus::as_str), |s| {
        RouterInterfaceStatus::parse("", s).ok().map(RouterInterfaceStatus::as_str)
    })
}

pub fn next_hop_type() -> Words {
    Words::new(CustomNextHopType::ALL.map(CustomNextHopType::as_str), |s| {
        CustomNextHopType::parse("", s).ok().map(CustomNextHopType::as_str)
    })
}

/// The kinds of account the operator makes.
pub fn account_kind() -> Words {
    Words::new(AccountKind::NEW.map(AccountKind::as_str), |s| {
        AccountKind::parse("", s).ok().filter(|k| AccountKind::NEW.contains(k)).map(AccountKind::as_str)
    })
}

pub fn billing_mode() -> Words {
    Words::new(BillingMode::ALL.map(BillingMode::as_str), |s| BillingMode::parse("", s).ok().map(BillingMode::as_str))
}

pub fn port_type() -> Words {
    Words::new(PortType::ALL.map(PortType::as_str), |s| PortType::parse("", s).ok().map(PortType::as_str))
}

/// What a catalogue argument names.
#[derive(Clone, Copy)]
enum Named {
    Region,
    Zone,
    Area,
}

/// A value parser for an argument naming a region, a zone or an area. It completes the ids of
/// the shipped catalogue but takes any value and lets the server judge it: a server may run
/// with a catalogue of its own (`serve --catalog`), whose regions this binary cannot know, and
/// a region is also taken by its display name (`China (Beijing)`) or another cloud's id
/// (`huawei:cn-north-4`). A misspelt one is refused by the server, which names the closest ids
/// it knows.
#[derive(Clone)]
pub struct Catalogued(Named);

pub fn region() -> Catalogued {
    Catalogued(Named::Region)
}

pub fn zone() -> Catalogued {
    Catalogued(Named::Zone)
}

pub fn area() -> Catalogued {
    Catalogued(Named::Area)
}

/// The shipped catalogue, read only when completions or help ask for its ids: most commands
/// never do.
fn shipped() -> &'static Catalog {
    static SHIPPED: OnceLock<Catalog> = OnceLock::new();
    SHIPPED.get_or_init(xconnect_control::default_catalog)
}

impl Catalogued {
    /// The ids to complete: ids only, since display names hold spaces and parentheses and
    /// `cloud:id` holds the colon that bash splits words at.
    fn ids(&self) -> Vec<&'static str> {
        let c = shipped();
        match self.0 {
            Named::Region => c.regions().iter().map(|r| r.id.as_str()).collect(),
            Named::Zone => c.regions().iter().flat_map(|r| r.zones.iter().map(String::as_str)).collect(),
            Named::Area => c.areas().iter().map(|a| a.id.as_str()).collect(),
        }
    }
}

impl TypedValueParser for Catalogued {
    type Value = String;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.ids().into_iter().map(PossibleValue::new)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word offered is taken, as itself; a word the model refuses is refused.
    #[test]
    fn each_word_offered_is_taken_as_itself() {
        let cmd = clap::Command::new("t");
        for words in [
            direction(),
            rule_protocol(),
            test_protocol(),
            policy(),
            role(),
            spec(),
            router_interface_status(),
            next_hop_type(),
            account_kind(),
            billing_mode(),
            port_type(),
        ] {
            assert!(!words.words.is_empty());
            for &w in &words.words {
                assert_eq!(words.parse_ref(&cmd, None, OsStr::new(w)).unwrap(), w);
            }
            assert!(words.parse_ref(&cmd, None, OsStr::new("sideways")).is_err());
        }
        // What the server takes besides the canonical spellings, the CLI takes too.
        assert_eq!(spec().parse_ref(&cmd, None, OsStr::new("large 1")).unwrap(), "Large.1");
        assert_eq!(spec().parse_ref(&cmd, None, OsStr::new("default")).unwrap(), "Default");
        assert_eq!(router_interface_status().parse_ref(&cmd, None, OsStr::new("active")).unwrap(), "Active");
        assert!(test_protocol().parse_ref(&cmd, None, OsStr::new("all")).is_err());
        assert!(account_kind().parse_ref(&cmd, None, OsStr::new("operator")).is_err(), "there is one operator");
    }

    /// Regions complete from the shipped catalogue, but any name is the server's to judge.
    #[test]
    fn catalogue_arguments_complete_the_shipped_ids_and_take_any() {
        let cmd = clap::Command::new("t");
        let names = |c: Catalogued| c.possible_values().unwrap().map(|v| v.get_name().to_owned()).collect::<Vec<_>>();
        assert!(names(region()).contains(&"cn-qingdao".to_owned()));
        assert!(names(zone()).contains(&"cn-qingdao-b".to_owned()));
        assert!(names(area()).contains(&"chinese-mainland".to_owned()));
        for v in ["China (Beijing)", "huawei:cn-north-4", "a-region-of-another-catalogue"] {
            assert_eq!(region().parse_ref(&cmd, None, OsStr::new(v)).unwrap(), v);
        }
    }
}
