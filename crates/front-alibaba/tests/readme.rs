//! The README's table of the Alibaba front's actions is the one the code makes.

#[test]
fn the_readmes_table_lists_exactly_the_supported_actions() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let (start, end) =
        ("<!-- alibaba-actions: made by xconnect_front_alibaba::readme_table -->\n", "<!-- /alibaba-actions -->");
    let from = readme.find(start).expect("the README has the table's start marker") + start.len();
    let to = from + readme[from..].find(end).expect("and its end marker");
    let expected = xconnect_front_alibaba::readme_table();
    assert_eq!(&readme[from..to], expected, "replace the README's table with:\n{expected}");
}
