//! Give the shared library a SONAME so that installed copies can be versioned (libflowlog.so.0).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libflowlog.so.0");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
