//! The shipped region catalogue.

use xconnect_model::Catalog;
use xconnect_model::catalog::CatalogFile;

/// The catalogue shipped with xconnect, as TOML; `xconnect serve --catalog FILE` replaces it.
pub const DEFAULT_CATALOG_TOML: &str = include_str!("../default-catalog.toml");

/// Parses and validates a catalogue file's text.
pub fn parse_catalog(text: &str) -> Result<Catalog, String> {
    let file: CatalogFile = toml::from_str(text).map_err(|e| format!("the catalogue is not valid TOML: {e}"))?;
    Catalog::new(file)
}

/// The shipped catalogue.
pub fn default_catalog() -> Catalog {
    parse_catalog(DEFAULT_CATALOG_TOML).expect("the shipped catalogue is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every region a tutorial names resolves, by its name in that tutorial.
    #[test]
    fn the_seeds_regions_are_all_there() {
        let c = default_catalog();
        for (name, id, area) in [
            ("China (Qingdao)", "cn-qingdao", "chinese-mainland"),
            ("China (Beijing)", "cn-beijing", "chinese-mainland"),
            ("China (Hangzhou)", "cn-hangzhou", "chinese-mainland"),
            ("CN East-Shanghai1", "cn-shanghai", "chinese-mainland"),
            ("CN North-Beijing4", "cn-beijing", "chinese-mainland"),
            ("China North 1", "cn-qingdao", "chinese-mainland"),
            ("China North 2", "cn-beijing", "chinese-mainland"),
            ("US (Virginia)", "us-east-1", "north-america"),
            ("Singapore", "ap-southeast-1", "asia-pacific"),
            ("Germany (Frankfurt)", "eu-central-1", "europe"),
        ] {
            let r = c.region(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((r.id.as_str(), r.area.as_str()), (id, area), "{name}");
        }
        assert_eq!(c.region_id("huawei:cn-east-3").unwrap().as_str(), "cn-shanghai");
        assert_eq!(c.region_id("aws:us-east-1").unwrap().as_str(), "us-east-1");
    }
}
