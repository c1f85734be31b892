//! The README's Rust example is the crate-level doctest of src/lib.rs (compiled and run
//! by `cargo test --doc`): this test fails when the two drift apart.

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The first ```rust block after `heading` in the README.
fn readme_block(readme: &str, heading: &str) -> Vec<String> {
    let after = &readme[readme.find(heading).expect("README heading")..];
    let start = after.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let end = start + after[start..].find("```").unwrap();
    after[start..end].lines().map(str::to_owned).collect()
}

/// The visible lines of the first doctest of the crate docs.
fn doctest_lines(lib: &str) -> Vec<String> {
    let docs: Vec<&str> = lib
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect();
    let open = docs.iter().position(|l| *l == "```").expect("a doctest");
    let close = open + 1 + docs[open + 1..].iter().position(|l| *l == "```").unwrap();
    docs[open + 1..close]
        .iter()
        .filter(|l| !l.starts_with("# ") && **l != "#")
        .map(|l| (*l).to_owned())
        .collect()
}

#[test]
fn the_readme_rust_example_is_the_compiled_crate_doctest() {
    let readme = readme_block(&read("README.md"), "## Use it from Rust");
    let doctest = doctest_lines(&read("src/lib.rs"));
    assert_eq!(readme, doctest);
}
