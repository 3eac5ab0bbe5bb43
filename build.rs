//! Builds the CUDA kernels' hash core for the CPU (`cuda-core` engine), so
//! the tests hold the GPU code's arithmetic to the reference everywhere.
fn main() {
    println!("cargo:rerun-if-changed=kernels/btpow_core.h");
    println!("cargo:rerun-if-changed=kernels/host_core.c");
    cc::Build::new()
        .file("kernels/host_core.c")
        .include("kernels")
        .opt_level(3)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .compile("btpow_cuda_core");
}
