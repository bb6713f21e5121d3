//! What the running kernel can attach to: each attach kind's own answer (`programs/`), asked
//! once and kept.

use crate::{kernel_support::Support, programs::PROGRAM_TYPES};
use probecost_core::scenario::AttachKind;

/// The attach kinds this kernel supports, each with its reason when it does not.
#[derive(Clone, Debug)]
pub struct KernelFeatures {
    support: Vec<(AttachKind, Support)>,
}

impl KernelFeatures {
    /// Detects each attach kind's support (mounting tracefs at /sys/kernel/tracing when
    /// nothing has).
    pub fn detect() -> Self {
        Self {
            support: PROGRAM_TYPES
                .iter()
                .map(|program_type| (program_type.kind(), program_type.support()))
                .collect(),
        }
    }

    /// Whether `kind` works here.
    pub fn support(&self, kind: AttachKind) -> &Support {
        &self
            .support
            .iter()
            .find(|(k, _)| *k == kind)
            .expect("every attach kind is detected (PROGRAM_TYPES lists each)")
            .1
    }
}
