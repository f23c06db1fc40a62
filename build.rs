//! Build script. With the `cpg-bindings` feature (tests only) it runs
//! bindgen over <corosync/cpg.h> so tests/cpg_layout.rs can prove the Rust
//! mirror of `struct cpg_address` identical to corosync's. Without it, it
//! does nothing, so building the library never needs libclang.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "cpg-bindings")]
    cpg_bindings::generate();
}

#[cfg(feature = "cpg-bindings")]
mod cpg_bindings {
    use std::path::PathBuf;

    pub fn generate() {
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        bindgen::Builder::default()
            .header_contents("cpg_wrapper.h", "#include <corosync/cpg.h>\n")
            .allowlist_type("cpg_address")
            .allowlist_type("cpg_reason")
            .allowlist_var("CPG_MEMBERS_MAX")
            .layout_tests(true)
            .generate()
            .expect("bindgen over <corosync/cpg.h> (needs libcpg-dev and libclang-dev)")
            .write_to_file(out.join("cpg_bindings.rs"))
            .expect("write cpg_bindings.rs");
    }
}
