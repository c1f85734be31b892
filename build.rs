//! Limits the symbols libhearken.so exports to the C door's `hk_*` (see src/ffi/hearken.map).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/ffi/hearken.map");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // GNU-style linkers on ELF targets; Apple's ld takes an exported-symbols list instead.
    if matches!(os.as_str(), "linux" | "android" | "freebsd") {
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={dir}/src/ffi/hearken.map");
    }
}
