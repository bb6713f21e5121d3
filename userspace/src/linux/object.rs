//! The eBPF object built from ebpf/ by build.rs, embedded in the binary.

use aya::{Ebpf, EbpfLoader};

use crate::benchmark::BackendError;

static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/probecost"));

/// Loads a fresh copy of the object: new maps, no program loaded yet. Each scenario gets its
/// own, so one scenario's map contents never change another's cost.
pub fn load() -> Result<Ebpf, BackendError> {
    EbpfLoader::new()
        .load(OBJECT)
        .map_err(|e| BackendError::Load {
            what: "probecost's eBPF object".into(),
            error: e.to_string(),
        })
}

/// The object's bytes, for loaders aya does not cover (kprobe.multi).
pub fn bytes() -> &'static [u8] {
    OBJECT
}
