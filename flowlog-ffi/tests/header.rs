//! The committed C header is exactly what cbindgen generates from the sources, and its version
//! macros are the crate's version. Regenerate with:
//!
//!     FLOWLOG_BLESS=1 cargo test -p flowlog-ffi --test header

use std::path::Path;

fn generate() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    config.after_includes = Some(format!(
        "\n#define FLOWLOG_VERSION \"{}\"\n#define FLOWLOG_VERSION_MAJOR {}\n#define FLOWLOG_VERSION_MINOR {}\n#define FLOWLOG_VERSION_PATCH {}",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    ));
    let bindings = cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn committed_header_matches_the_sources() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/flowlog.h");
    let fresh = generate();
    if std::env::var_os("FLOWLOG_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/flowlog.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/flowlog.h is out of date; regenerate it with:\n    FLOWLOG_BLESS=1 cargo test -p flowlog-ffi --test header"
    );
}

#[test]
fn header_version_macros_are_the_crate_version() {
    let header = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/flowlog.h"))
        .expect("include/flowlog.h exists");
    for (name, value) in [
        ("FLOWLOG_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("FLOWLOG_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("FLOWLOG_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(header.contains(&format!("#define {name} {value}\n")), "{name} is not {value}");
    }
    let v = unsafe { std::ffi::CStr::from_ptr(flowlog::flowlog_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}
