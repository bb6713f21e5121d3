//! The C programs (ebpf-c/) compiled by build.rs with clang, embedded in the binary.

/// The object's bytes (aligned: libelf reads its headers in place).
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/probecost.bpf.o"));

/// The name errors give the embedded object.
pub const ORIGIN: &str = "probecost's C object (ebpf-c/probecost.bpf.c)";

/// The object's bytes.
pub fn bytes() -> &'static [u8] {
    OBJECT
}

#[cfg(test)]
mod tests {
    use probecost_core::scenario::{Delivery, ScenarioCatalog};

    #[test]
    fn every_program_the_catalog_names_is_in_the_c_object() {
        let open = super::super::loader::open_memory(super::ORIGIN, super::bytes()).unwrap();
        let names = super::super::loader::program_names(&open);
        let mut checked = 0;
        for scenario in ScenarioCatalog.every() {
            if scenario.delivery == Delivery::AyaLog {
                continue;
            }
            for &kind in scenario.attach_preference {
                for spec in scenario.programs {
                    let name = spec.program_name(kind);
                    assert!(names.contains(&name), "{}: no `{name}`", scenario.name);
                    checked += 1;
                }
            }
        }
        assert!(checked > 60, "{checked}");
    }
}
