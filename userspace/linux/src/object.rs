//! The eBPF object built from ebpf/ by build.rs, embedded in the binary.

use aya::{Ebpf, EbpfLoader};

use probecost_core::error::BackendError;

static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/probecost"));

/// aya-log's ring buffer for the scenario that logs every event. aya-log-ebpf sizes it at
/// 128 KiB, under a millisecond of events: whenever the reader is a little late the ring fills,
/// the records after it are dropped cheaply, and the batches that dropped them become the
/// run's floor. 16 MiB holds tens of milliseconds, as probecost's own ring does for `per-event`.
const AYA_LOG_RING_BYTES: u32 = 16 << 20;

/// Loads a fresh copy of the object: new maps, no program loaded yet. Each scenario gets its
/// own, so one scenario's map contents never change another's cost.
pub fn load() -> Result<Ebpf, BackendError> {
    load_with(&mut EbpfLoader::new())
}

/// [`load`], with aya-log's ring buffer large enough for a record per event
/// ([`AYA_LOG_RING_BYTES`]); only the scenario that logs every event needs it.
pub fn load_logging_every_event() -> Result<Ebpf, BackendError> {
    load_with(EbpfLoader::new().map_max_entries("AYA_LOGS", AYA_LOG_RING_BYTES))
}

fn load_with(loader: &mut EbpfLoader<'_>) -> Result<Ebpf, BackendError> {
    loader.load(OBJECT).map_err(|e| BackendError::Load {
        what: "probecost's eBPF object".into(),
        error: e.to_string(),
    })
}

/// The object's bytes, for loaders aya does not cover (kprobe.multi).
pub fn bytes() -> &'static [u8] {
    OBJECT
}

#[cfg(test)]
mod tests {
    use probecost_core::scenario::ScenarioCatalog;

    /// Whether `name` is one of the object's strings (program names are in its symbol table).
    fn has_string(name: &str) -> bool {
        let needle = format!("\0{name}\0");
        super::bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    #[test]
    fn every_program_the_catalog_names_is_in_the_object() {
        let mut checked = 0;
        for scenario in ScenarioCatalog.every() {
            for &kind in scenario.attach_preference {
                for spec in scenario.programs {
                    let name = spec.program_name(kind);
                    assert!(
                        has_string(&name),
                        "{}: `{name}` is not in the object",
                        scenario.name
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 60, "{checked}");
        assert!(!has_string("no_such_program_kprobe"));
    }
}
