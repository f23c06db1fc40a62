//! Build script. With the `cpg-bindings` feature (tests only) it runs
//! bindgen over <corosync/cpg.h> so tests/cpg_layout.rs can prove the Rust
//! mirror of `struct cpg_address` identical to corosync's. Without it, it
//! does nothing, so building the library never needs libclang.
//!
//! Always: `libqb_paths` learns where the installed libqb puts filesystem
//! sockets (see src/endpoint.rs), with no compiler and no libclang.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    libqb_paths::detect();
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
            .allowlist_type("cpg_reason_t")
            .prepend_enum_name(false)
            .allowlist_var("CPG_MEMBERS_MAX")
            .layout_tests(true)
            .generate()
            .expect("bindgen over <corosync/cpg.h> (needs libcpg-dev and libclang-dev)")
            .write_to_file(out.join("cpg_bindings.rs"))
            .expect("write cpg_bindings.rs");
    }
}

/// Where the installed libqb puts its filesystem-mode sockets (`SOCKETDIR`)
/// and which file switches it to that mode (`FORCESOCKETSFILE`). libqb
/// compiles both in (`configure --with-socket-dir`, `--with-force-sockets-
/// config-file`) and exposes neither in a header, a pkg-config variable or
/// an API, so they are read from the `.rodata` section of the libqb shared
/// object the C link will use (found through `pkg-config --variable=libdir
/// libqb`): SOCKETDIR is the only plain absolute path there that is not
/// under /dev and not the force file (libqb 2.0.6 on Debian 12: "/tmp").
/// Overrides, for a build host whose libqb differs from the target's:
/// `RIVALGUARD_LIBQB_SOCKET_DIR`, `RIVALGUARD_LIBQB_FORCE_FILE`, and
/// `RIVALGUARD_LIBQB_LIBRARY` (the shared object to read). Without a libqb
/// or without a unique answer it falls back to upstream's defaults
/// (`/var/run`, `/etc/libqb/force-filesystem-sockets`) with a warning.
/// The result reaches the crate as `RIVALGUARD_LIBQB_*` compile-time
/// environment variables; tests/endpoint.rs checks it against a real libqb
/// server running in filesystem mode.
mod libqb_paths {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    const UPSTREAM_SOCKET_DIR: &str = "/var/run";
    const UPSTREAM_FORCE_FILE: &str = "/etc/libqb/force-filesystem-sockets";
    const FORCE_FILE_TAIL: &str = "/force-filesystem-sockets";

    pub fn detect() {
        for var in [
            "RIVALGUARD_LIBQB_SOCKET_DIR",
            "RIVALGUARD_LIBQB_FORCE_FILE",
            "RIVALGUARD_LIBQB_LIBRARY",
            "PKG_CONFIG_PATH",
        ] {
            println!("cargo:rerun-if-env-changed={var}");
        }
        let library = std::env::var_os("RIVALGUARD_LIBQB_LIBRARY")
            .map(PathBuf::from)
            .or_else(find_library);
        let strings = library.as_deref().and_then(|path| {
            println!("cargo:rerun-if-changed={}", path.display());
            rodata_strings(&std::fs::read(path).ok()?)
        });
        let from = |what: &str| match &library {
            Some(path) => format!("{what} {}", path.display()),
            None => what.to_string(),
        };

        let (socket_dir, socket_dir_source) = match std::env::var("RIVALGUARD_LIBQB_SOCKET_DIR") {
            Ok(dir) => (dir, "RIVALGUARD_LIBQB_SOCKET_DIR".to_string()),
            Err(_) => match strings.as_deref().map(socket_dir_candidates).as_deref() {
                Some([only]) => (only.clone(), from("detected in")),
                found => {
                    println!(
                        "cargo:warning=rivalguard: libqb socket directory not found ({found:?} in {library:?}); \
                         using upstream's {UPSTREAM_SOCKET_DIR} (set RIVALGUARD_LIBQB_SOCKET_DIR)"
                    );
                    (
                        UPSTREAM_SOCKET_DIR.to_string(),
                        "upstream default".to_string(),
                    )
                }
            },
        };
        let (force_file, force_file_source) = match std::env::var("RIVALGUARD_LIBQB_FORCE_FILE") {
            Ok(file) => (file, "RIVALGUARD_LIBQB_FORCE_FILE".to_string()),
            Err(_) => match strings.as_deref().map(force_file_candidates).as_deref() {
                Some([only]) => (only.clone(), from("detected in")),
                _ => (
                    UPSTREAM_FORCE_FILE.to_string(),
                    "upstream default".to_string(),
                ),
            },
        };
        println!("cargo:rustc-env=RIVALGUARD_LIBQB_SOCKET_DIR={socket_dir}");
        println!("cargo:rustc-env=RIVALGUARD_LIBQB_SOCKET_DIR_SOURCE={socket_dir_source}");
        println!("cargo:rustc-env=RIVALGUARD_LIBQB_FORCE_FILE={force_file}");
        println!("cargo:rustc-env=RIVALGUARD_LIBQB_FORCE_FILE_SOURCE={force_file_source}");
    }

    fn find_library() -> Option<PathBuf> {
        let mut dirs = Vec::new();
        if let Ok(out) = Command::new("pkg-config")
            .args(["--variable=libdir", "libqb"])
            .output()
        {
            if out.status.success() {
                dirs.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
            }
        }
        dirs.extend(
            [
                "/usr/lib/x86_64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu",
                "/usr/lib64",
                "/usr/lib",
                "/usr/local/lib",
            ]
            .map(PathBuf::from),
        );
        dirs.iter().find_map(|dir| shared_object_in(dir))
    }

    fn shared_object_in(dir: &Path) -> Option<PathBuf> {
        let plain = dir.join("libqb.so");
        if plain.is_file() {
            return Some(plain);
        }
        let mut versioned: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with("libqb.so."))
            })
            .collect();
        versioned.sort();
        versioned.pop()
    }

    /// The NUL-separated strings of the `.rodata` section of a 64-bit
    /// little-endian ELF file, or `None` for anything else.
    fn rodata_strings(elf: &[u8]) -> Option<Vec<String>> {
        let u16_at =
            |at: usize| Some(u16::from_le_bytes(elf.get(at..at + 2)?.try_into().ok()?) as usize);
        let u32_at =
            |at: usize| Some(u32::from_le_bytes(elf.get(at..at + 4)?.try_into().ok()?) as usize);
        let u64_at = |at: usize| {
            usize::try_from(u64::from_le_bytes(elf.get(at..at + 8)?.try_into().ok()?)).ok()
        };
        if elf.get(..6)? != b"\x7fELF\x02\x01" {
            return None;
        }
        let (shoff, shentsize, shnum, shstrndx) =
            (u64_at(0x28)?, u16_at(0x3a)?, u16_at(0x3c)?, u16_at(0x3e)?);
        let section = |index: usize| {
            let header = shoff.checked_add(index.checked_mul(shentsize)?)?;
            let (offset, size) = (u64_at(header + 24)?, u64_at(header + 32)?);
            Some((u32_at(header)?, elf.get(offset..offset.checked_add(size)?)?))
        };
        let names = section(shstrndx)?.1;
        let rodata = (0..shnum).find_map(|index| {
            let (name, bytes) = section(index)?;
            names
                .get(name..)?
                .starts_with(b".rodata\0")
                .then_some(bytes)
        })?;
        Some(
            rodata
                .split(|&byte| byte == 0)
                .filter_map(|chunk| std::str::from_utf8(chunk).ok())
                .map(str::to_string)
                .collect(),
        )
    }

    fn is_plain_absolute_path(text: &str) -> bool {
        text.len() >= 2
            && text.starts_with('/')
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._+-".contains(&b))
    }

    fn socket_dir_candidates(strings: &[String]) -> Vec<String> {
        let mut found: Vec<String> = strings
            .iter()
            .filter(|text| is_plain_absolute_path(text))
            .filter(|text| {
                !text.ends_with(FORCE_FILE_TAIL) && !text.starts_with("/dev/") && *text != "/qb"
            })
            .cloned()
            .collect();
        found.sort();
        found.dedup();
        found
    }

    fn force_file_candidates(strings: &[String]) -> Vec<String> {
        let mut found: Vec<String> = strings
            .iter()
            .filter(|text| is_plain_absolute_path(text) && text.ends_with(FORCE_FILE_TAIL))
            .cloned()
            .collect();
        found.sort();
        found.dedup();
        found
    }
}
