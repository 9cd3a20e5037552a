//! The catalogue's regions and areas, as the API lists them.

use xconnect_model::wire::*;

use crate::Control;

impl Control {
    /// The regions and areas of the catalogue.
    pub fn region_list(&self) -> RegionList {
        RegionList { areas: self.catalog().areas().to_vec(), regions: self.catalog().regions().to_vec() }
    }
}
