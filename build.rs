//! Builds the CUDA kernels' hash core for the CPU (`cuda-core` engine), so
//! the tests hold the GPU code's arithmetic to the reference everywhere.
//!
//! C compiler warnings are errors only where `BTPOW_STRICT_C` is set (CI
//! sets it): a user's newer compiler with new warnings still builds.
fn main() {
    println!("cargo:rerun-if-changed=kernels/btpow_core.h");
    println!("cargo:rerun-if-changed=kernels/host_core.c");
    println!("cargo:rerun-if-env-changed=BTPOW_STRICT_C");
    cc::Build::new()
        .file("kernels/host_core.c")
        .include("kernels")
        .opt_level(3)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(std::env::var_os("BTPOW_STRICT_C").is_some())
        .compile("btpow_cuda_core");
}
