//! Makes the binaries find libtorch at run time without LD_LIBRARY_PATH, and keeps the CUDA
//! library linked so that a GPU is seen when there is one.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let Ok(libtorch) = std::env::var("LIBTORCH") else {
        return;
    };
    let lib = PathBuf::from(libtorch).join("lib");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    // Nothing in our code calls into libtorch_cuda directly, so `--as-needed` would drop it and
    // libtorch would report no CUDA device even on a GPU machine.
    if lib.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
        println!("cargo:rustc-link-arg=-Wl,--as-needed");
    }
}
