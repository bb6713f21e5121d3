//! Builds the eBPF programs (ebpf/) with nightly for bpfel-unknown-none and leaves the object in
//! OUT_DIR, where src/linux/object.rs embeds it. Only Linux targets carry eBPF programs.
fn main() -> anyhow::Result<()> {
    println!("cargo:rerun-if-env-changed=CARGO_CFG_TARGET_OS");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return Ok(());
    }
    let ebpf = aya_build::Package {
        name: "probecost-ebpf",
        root_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/../ebpf"),
        ..Default::default()
    };
    let common = concat!(env!("CARGO_MANIFEST_DIR"), "/../common");
    println!("cargo:rerun-if-changed={common}");
    aya_build::build_ebpf([ebpf], aya_build::Toolchain::default())
}
