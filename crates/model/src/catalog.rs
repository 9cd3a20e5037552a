//! The region and area catalogue: which regions exist, the area (geographic region) each lies
//! in, its zones, and the ids other clouds use for it. Operators edit it as TOML; the shipped
//! default holds every region the tutorials name.

use std::collections::HashMap;

use crate::error::Error;

/// The catalogue file as written by an operator (TOML, see `default-catalog.toml`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub areas: Vec<Area>,
    pub regions: Vec<RegionEntry>,
}

/// An area, the unit that bandwidth packages are bought for: Chinese mainland, Asia Pacific, …
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Stable id, e.g. `chinese-mainland`.
    pub id: String,
    /// Display name, e.g. `Chinese mainland`.
    pub name: String,
    /// Whether bandwidth between this area and any other needs an approved cross-border permit
    /// of the buying account (the Chinese mainland's).
    #[serde(default)]
    pub cross_border_permit: bool,
    /// The names other clouds give it (`Mainland China`).
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The id another cloud gives a region, with that cloud's display name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionAlias {
    /// `alibaba`, `huawei` or `aws`.
    pub cloud: String,
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One region of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionEntry {
    /// xconnect's own id, e.g. `cn-qingdao`.
    pub id: String,
    /// Display name, e.g. `China (Qingdao)`.
    pub name: String,
    /// The id of the area it lies in.
    pub area: String,
    /// Zones a vswitch can be placed in.
    pub zones: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<RegionAlias>,
}

/// A region id that was found in the catalogue.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RegionId(String);

impl RegionId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps an id read back from the store.
    pub fn from_trusted(s: String) -> RegionId {
        RegionId(s)
    }
}

impl std::fmt::Display for RegionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for RegionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for RegionId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string_with_format("region-id", "A region id of the catalogue, e.g. cn-qingdao")
    }
}
impl utoipa::ToSchema for RegionId {}

/// The validated catalogue, indexed for lookups.
#[derive(Debug, Clone)]
pub struct Catalog {
    areas: Vec<Area>,
    regions: Vec<RegionEntry>,
    /// Every name a region answers to, lowercased: its id, `cloud:alias`, display names, and a
    /// plain alias id when no other region claims it.
    lookup: HashMap<String, usize>,
}

impl Catalog {
    /// Validates a catalogue file: unique ids, known areas, at least one zone per region.
    pub fn new(file: CatalogFile) -> Result<Catalog, String> {
        let mut area_ids = std::collections::HashSet::new();
        for a in &file.areas {
            if !area_ids.insert(a.id.as_str()) {
                return Err(format!("area '{}' is listed twice", a.id));
            }
        }
        let mut lookup = HashMap::new();
        let mut plain_alias: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in file.regions.iter().enumerate() {
            if !area_ids.contains(r.area.as_str()) {
                return Err(format!("region '{}' names unknown area '{}'", r.id, r.area));
            }
            if r.zones.is_empty() {
                return Err(format!("region '{}' has no zones", r.id));
            }
            if lookup.insert(r.id.to_lowercase(), i).is_some() {
                return Err(format!("region '{}' is listed twice", r.id));
            }
            for a in &r.aliases {
                lookup.insert(format!("{}:{}", a.cloud, a.id).to_lowercase(), i);
                plain_alias.entry(a.id.to_lowercase()).or_default().push(i);
            }
        }
        // Display names and unambiguous plain alias ids come last so they never shadow an id.
        for (i, r) in file.regions.iter().enumerate() {
            lookup.entry(r.name.to_lowercase()).or_insert(i);
            for a in r.aliases.iter().filter(|a| !a.name.is_empty()) {
                lookup.entry(a.name.to_lowercase()).or_insert(i);
            }
        }
        for (alias, mut owners) in plain_alias {
            owners.dedup();
            if let [only] = owners[..] {
                lookup.entry(alias).or_insert(only);
            }
        }
        Ok(Catalog { areas: file.areas, regions: file.regions, lookup })
    }

    /// Every spelling the catalogue answers to, as written: of regions (ids, `cloud:alias`,
    /// display names, unambiguous alias ids), of zones, and of areas (ids, names, aliases). Each
    /// is kept only if it resolves, so the list is what the lookups take.
    pub fn spellings(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut regions = Vec::new();
        for r in &self.regions {
            let mut names = vec![r.id.clone(), r.name.clone()];
            for a in &r.aliases {
                names.extend([format!("{}:{}", a.cloud, a.id), a.id.clone(), a.name.clone()]);
            }
            regions.extend(names.into_iter().filter(|n| !n.is_empty() && self.region(n).is_ok_and(|e| e.id == r.id)));
        }
        let zones = self.regions.iter().flat_map(|r| r.zones.iter().cloned()).collect();
        let mut areas = Vec::new();
        for a in &self.areas {
            let names = [a.id.clone(), a.name.clone()].into_iter().chain(a.aliases.iter().cloned());
            areas.extend(names.filter(|n| self.area_named("area", n).is_ok_and(|x| x.id == a.id)));
        }
        let tidy = |mut v: Vec<String>| {
            v.sort();
            v.dedup();
            v
        };
        (tidy(regions), tidy(zones), tidy(areas))
    }

    /// Resolves a region by its id, `cloud:alias`, an unambiguous alias id, or a display name
    /// (`China (Qingdao)`, `CN East-Shanghai1`), case-insensitively.
    pub fn region(&self, s: &str) -> Result<&RegionEntry, Error> {
        self.lookup
            .get(&s.trim().to_lowercase())
            .map(|&i| &self.regions[i])
            .ok_or_else(|| Error::UnknownRegion { value: s.to_owned(), closest: self.regions_near(s) })
    }

    /// The ids of the regions one of whose spellings (id, display name, other clouds' ids and
    /// names) is nearest to `s`, if that is near enough to be a slip: what an unknown region's
    /// error suggests. A plain alias id that two regions share (`cn-north-1`, AWS's Beijing and
    /// Huawei's) is at distance 0 from both, and both are named.
    fn regions_near(&self, s: &str) -> Vec<String> {
        let spellings = |r: &'_ RegionEntry| {
            let aliases =
                r.aliases.iter().flat_map(|a| [format!("{}:{}", a.cloud, a.id), a.id.clone(), a.name.clone()]);
            [r.id.clone(), r.name.clone()].into_iter().chain(aliases).filter(|n| !n.is_empty()).collect::<Vec<_>>()
        };
        let distances: Vec<(usize, &str)> = self
            .regions
            .iter()
            .map(|r| (spellings(r).iter().map(|n| edit_distance(s, n)).min().unwrap_or(usize::MAX), r.id.as_str()))
            .collect();
        nearest(s, distances)
    }

    /// Resolves a region given by a caller into its canonical id.
    pub fn region_id(&self, s: &str) -> Result<RegionId, Error> {
        self.region(s).map(|r| RegionId(r.id.clone()))
    }

    /// Checks that `zone` is a zone of `region`.
    pub fn check_zone(&self, region: &RegionId, zone: &str) -> Result<(), Error> {
        let r = self.region(region.as_str())?;
        if r.zones.iter().any(|z| z == zone) {
            Ok(())
        } else {
            Err(Error::UnknownZone {
                region: region.to_string(),
                zone: zone.to_owned(),
                known: r.zones.join(", "),
                closest: nearest(zone, r.zones.iter().map(|z| (edit_distance(zone, z), z.as_str())).collect()),
            })
        }
    }

    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// An area named by its id or its display name, or an error listing the areas.
    pub fn area_named(&self, field: &str, s: &str) -> Result<&Area, Error> {
        let named = |a: &&Area| {
            a.id == s || a.name.eq_ignore_ascii_case(s) || a.aliases.iter().any(|x| x.eq_ignore_ascii_case(s))
        };
        self.areas.iter().find(named).ok_or_else(|| {
            let known: Vec<&str> = self.areas.iter().map(|a| a.id.as_str()).collect();
            Error::invalid(field, format_args!("'{s}' is not an area; the areas are {}", known.join(", ")))
        })
    }

    /// The area a region of the catalogue lies in.
    pub fn area_of(&self, region: &RegionId) -> &str {
        self.regions.iter().find(|r| r.id == region.as_str()).map(|r| r.area.as_str()).unwrap_or("")
    }

    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    pub fn regions(&self) -> &[RegionEntry] {
        &self.regions
    }
}

/// Of `(distance, name)` pairs measured from `wanted`, the names at the least distance, when
/// that is small enough to be a slip: at most a third of `wanted`'s length (one for the
/// shortest), and never more than three names, so that a word unlike any gets no suggestion
/// rather than a random one.
fn nearest(wanted: &str, mut distances: Vec<(usize, &str)>) -> Vec<String> {
    let most = (wanted.trim().chars().count() / 3).max(1);
    let Some(least) = distances.iter().map(|&(d, _)| d).min().filter(|&d| d <= most) else {
        return Vec::new();
    };
    distances.retain(|&(d, _)| d == least);
    let mut names: Vec<String> = distances.into_iter().map(|(_, n)| n.to_owned()).collect();
    names.dedup();
    names.truncate(3);
    names
}

/// How many edits turn `a` into `b`, ignoring case and surrounding spaces: inserting, deleting
/// or replacing a character, or swapping two neighbours (`cn-qingado`), each counts one (the
/// optimal string alignment distance). The names it compares are short, so the full table is
/// cheap.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.trim().to_lowercase().chars().collect();
    let b: Vec<char> = b.trim().to_lowercase().chars().collect();
    // d[i][j]: the distance between the first i characters of a and the first j of b.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let replace = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + replace);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let file = CatalogFile {
            areas: vec![Area {
                id: "chinese-mainland".into(),
                name: "Chinese mainland".into(),
                cross_border_permit: true,
                aliases: vec![],
            }],
            regions: vec![
                RegionEntry {
                    id: "cn-beijing".into(),
                    name: "China (Beijing)".into(),
                    area: "chinese-mainland".into(),
                    zones: vec!["cn-beijing-a".into()],
                    aliases: vec![
                        RegionAlias {
                            cloud: "huawei".into(),
                            id: "cn-north-4".into(),
                            name: "CN North-Beijing4".into(),
                        },
                        RegionAlias { cloud: "aws".into(), id: "cn-north-1".into(), name: String::new() },
                    ],
                },
                RegionEntry {
                    id: "cn-qingdao".into(),
                    name: "China (Qingdao)".into(),
                    area: "chinese-mainland".into(),
                    zones: vec!["cn-qingdao-b".into()],
                    aliases: vec![RegionAlias { cloud: "huawei".into(), id: "cn-north-1".into(), name: String::new() }],
                },
            ],
        };
        Catalog::new(file).unwrap()
    }

    #[test]
    fn resolves_ids_aliases_and_names() {
        let c = catalog();
        assert_eq!(c.region_id("cn-beijing").unwrap().as_str(), "cn-beijing");
        assert_eq!(c.region_id("huawei:cn-north-4").unwrap().as_str(), "cn-beijing");
        assert_eq!(c.region_id("cn-north-4").unwrap().as_str(), "cn-beijing");
        assert_eq!(c.region_id("CN North-Beijing4").unwrap().as_str(), "cn-beijing");
        assert_eq!(c.region_id("china (qingdao)").unwrap().as_str(), "cn-qingdao");
        // cn-north-1 is AWS's Beijing and Huawei's Beijing1 (here mapped to Qingdao): ambiguous.
        assert_eq!(c.region_id("cn-north-1").unwrap_err().code(), "UnknownRegion");
        assert_eq!(c.region_id("aws:cn-north-1").unwrap().as_str(), "cn-beijing");
        assert_eq!(c.region_id("mars-1").unwrap_err().code(), "UnknownRegion");
    }

    #[test]
    fn zones_are_checked() {
        let c = catalog();
        let r = c.region_id("cn-beijing").unwrap();
        assert!(c.check_zone(&r, "cn-beijing-a").is_ok());
        let e = c.check_zone(&r, "cn-qingdao-b").unwrap_err();
        assert_eq!(e.code(), "UnknownZone");
        // Another region's zone is no slip of this region's: nothing to suggest.
        assert!(!e.to_string().contains("did you mean"), "{e}");
    }

    #[test]
    fn edit_distance_counts_each_slip_once() {
        assert_eq!(edit_distance("cn-qingdao", "cn-qingdao"), 0);
        assert_eq!(edit_distance("cn-qindao", "cn-qingdao"), 1, "a letter left out");
        assert_eq!(edit_distance("cn-qinggdao", "cn-qingdao"), 1, "a letter too many");
        assert_eq!(edit_distance("cn-qingdoo", "cn-qingdao"), 1, "a letter replaced");
        assert_eq!(edit_distance("cn-qingado", "cn-qingdao"), 1, "two neighbours swapped");
        assert_eq!(edit_distance("CN-Qingdao ", "cn-qingdao"), 0, "case and spaces are not slips");
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn an_unknown_region_or_zone_names_the_closest() {
        let c = catalog();
        let e = c.region_id("cn-qindao").unwrap_err();
        assert_eq!(e, Error::UnknownRegion { value: "cn-qindao".into(), closest: vec!["cn-qingdao".into()] });
        assert!(e.to_string().contains("did you mean cn-qingdao?"), "{e}");
        // A display name or another cloud's id, misspelt, suggests the region's own id.
        assert!(c.region_id("China (Bejing)").unwrap_err().to_string().contains("did you mean cn-beijing?"));
        assert!(c.region_id("huawei:cn-north-44").unwrap_err().to_string().contains("did you mean cn-beijing?"));
        // An alias id two regions share names both, rather than picking one.
        let e = c.region_id("cn-north-1").unwrap_err();
        assert!(e.to_string().contains("did you mean cn-beijing or cn-qingdao?"), "{e}");
        // Nothing like any region: no guess, only where to look.
        let e = c.region_id("mars-1").unwrap_err();
        assert_eq!(e.to_string(), "region 'mars-1' is not in the catalogue; `xconnect region list` shows the regions");

        let r = c.region_id("cn-beijing").unwrap();
        let e = c.check_zone(&r, "cn-beijing-aa").unwrap_err();
        assert_eq!(
            e.to_string(),
            "zone 'cn-beijing-aa' is not a zone of region cn-beijing; did you mean cn-beijing-a? its zones are cn-beijing-a"
        );
    }
}
