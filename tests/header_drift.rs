//! include/hearken.h is exactly what the pinned cbindgen generates from src/ffi/.
//!
//! `UPDATE_HEADER=1 cargo test --test header_drift` rewrites the header instead of failing.

use std::path::Path;

fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi/mod.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("UTF-8 header")
}

#[test]
fn committed_header_matches_cbindgen_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/hearken.h");
    let generated = generate();
    if std::env::var_os("UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "include/hearken.h differs from cbindgen output (first difference at line {}); \
             run `UPDATE_HEADER=1 cargo test --test header_drift` and commit the header",
            line + 1
        );
    }
}

#[test]
fn header_version_is_the_package_version() {
    let header = generate();
    let define = format!("#define HK_VERSION \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(header.contains(&define), "cbindgen.toml must say {define}");
    for (name, value) in [
        ("HK_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("HK_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("HK_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(
            header.contains(&format!("#define {name} {value}")),
            "{name}"
        );
    }
}

#[test]
fn header_declares_only_hk_names() {
    let header = generate();
    for line in header.lines() {
        let decl = line.trim_start();
        if let Some(rest) = decl.strip_prefix("#define ") {
            let name = rest.split_whitespace().next().unwrap_or("");
            assert!(name.starts_with("HK_") || name == "HEARKEN_H", "{line}");
        }
        if decl.starts_with("typedef ") {
            assert!(decl.contains(" hk_") || decl.contains("(*hk_"), "{line}");
        }
    }
}
