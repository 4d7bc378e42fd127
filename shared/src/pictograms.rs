//! The pictograms shipped in the binary (assets/pictograms, see LICENSE.md there).

include!(concat!(env!("OUT_DIR"), "/pictograms.rs"));

/// The SVG of a pictogram by name.
pub fn svg(name: &str) -> Option<&'static [u8]> {
    PICTOGRAMS.binary_search_by(|(n, _)| n.cmp(&name)).ok().map(|i| PICTOGRAMS[i].1)
}

pub fn exists(name: &str) -> bool {
    svg(name).is_some()
}
