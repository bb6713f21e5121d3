//! Whether probecost runs under a hypervisor, which one, and whether the CPU is emulated.
//!
//! Both change what a figure means: under a hypervisor, probes that trap (uprobes) can cost
//! many times what they cost on bare metal; under an emulator (QEMU's TCG) every instruction
//! is translated, so timings say nothing about hardware, only about ratios inside one run.

use serde::Serialize;

/// What the machine says about virtualization.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Virtualization {
    /// A hypervisor is present.
    pub hypervisor: bool,
    /// Its name, when it tells (`KVM`, `QEMU TCG`, `Hyper-V`, `VMware`, `Xen`, `bhyve`, ...).
    pub name: Option<String>,
    /// The CPU is emulated instruction by instruction (QEMU TCG): timings are not hardware
    /// costs.
    pub emulated_cpu: bool,
    /// Where each fact came from (`cpuid 0x40000000: TCGTCGTCGTCG`, `DMI: QEMU`).
    pub evidence: Vec<String>,
}

/// What the machine shows, read by [`Virtualization::detect`] and classified by
/// [`Virtualization::classify`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VirtualizationFacts {
    /// CPUID leaf 1, ECX bit 31 ("hypervisor present").
    pub cpuid_hypervisor_bit: bool,
    /// The 12-byte vendor signature of CPUID leaf 0x40000000, NULs trimmed.
    pub cpuid_signature: Option<String>,
    /// `/sys/hypervisor/type` (Xen), or FreeBSD's `kern.vm_guest`.
    pub os_reported: Option<String>,
    /// DMI system vendor and product name.
    pub dmi: Option<String>,
}

impl Virtualization {
    /// Reads this machine's facts and classifies them.
    pub fn detect() -> Self {
        Self::classify(&read_facts())
    }

    /// Names the hypervisor from the facts, CPUID first (it names the accelerator: QEMU's TCG
    /// says `TCGTCGTCGTCG`, KVM `KVMKVMKVM`), then what the OS and firmware report.
    pub fn classify(facts: &VirtualizationFacts) -> Self {
        let mut evidence = Vec::new();
        let from_cpuid = facts.cpuid_signature.as_deref().and_then(|signature| {
            evidence.push(format!("cpuid 0x40000000: {signature}"));
            hypervisor_from_signature(signature)
        });
        if facts.cpuid_hypervisor_bit {
            evidence.push("cpuid: hypervisor bit set".into());
        }
        let os_reported = facts
            .os_reported
            .as_deref()
            .filter(|v| !v.is_empty() && *v != "none");
        if let Some(value) = os_reported {
            evidence.push(format!("os: {value}"));
        }
        let dmi_vm = facts.dmi.as_deref().and_then(|dmi| {
            let name = hypervisor_from_dmi(dmi)?;
            evidence.push(format!("DMI: {dmi}"));
            Some(name)
        });
        let name = from_cpuid
            .map(String::from)
            .or_else(|| os_reported.map(hypervisor_from_os))
            .or_else(|| dmi_vm.map(String::from));
        Self {
            hypervisor: facts.cpuid_hypervisor_bit || name.is_some(),
            emulated_cpu: name.as_deref() == Some(QEMU_TCG),
            name,
            evidence,
        }
    }

    /// A one-line summary for tables (`KVM`, `QEMU TCG (emulated CPU)`, `none`).
    pub fn summary(&self) -> String {
        match (&self.name, self.hypervisor, self.emulated_cpu) {
            (Some(name), _, true) => format!("{name} (emulated CPU)"),
            (Some(name), _, false) => name.clone(),
            (None, true, _) => "unknown hypervisor".into(),
            (None, false, _) => "none".into(),
        }
    }

    /// The warnings a table should carry, one line each.
    pub fn warnings(&self) -> Vec<String> {
        if self.emulated_cpu {
            return vec![
                "warning: the CPU is emulated (QEMU TCG): every timing here is emulated, not a \
                 hardware cost; compare figures only with each other within this run"
                    .into(),
            ];
        }
        if self.hypervisor {
            return vec![format!(
                "note: running under {}: probes that trap (uprobe, uretprobe) cost far more in a \
                 virtual machine than on bare metal; tracepoint, kprobe and fentry rows much less so",
                self.name.as_deref().unwrap_or("a hypervisor")
            )];
        }
        Vec::new()
    }
}

const QEMU_TCG: &str = "QEMU TCG";

fn hypervisor_from_signature(signature: &str) -> Option<&'static str> {
    Some(match signature {
        "TCGTCGTCGTCG" => QEMU_TCG,
        "KVMKVMKVM" => "KVM",
        "Microsoft Hv" => "Hyper-V",
        "VMwareVMware" => "VMware",
        "XenVMMXenVMM" => "Xen",
        "bhyve bhyve" => "bhyve",
        "VBoxVBoxVBox" => "VirtualBox",
        "ACRNACRNACRN" => "ACRN",
        " lrpepyh  vr" => "Parallels",
        "QNXQVMBSQG" => "QNX",
        "Linux KVM Hv" => "KVM (Hyper-V enlightenments)",
        _ => return None,
    })
}

fn hypervisor_from_os(value: &str) -> String {
    match value {
        "xen" => "Xen".into(),
        "kvm" => "KVM".into(),
        "hv" => "Hyper-V".into(),
        "vmware" => "VMware".into(),
        other => other.to_string(),
    }
}

fn hypervisor_from_dmi(dmi: &str) -> Option<&'static str> {
    let known = [
        ("QEMU", "QEMU"),
        ("KVM", "KVM"),
        ("VMware", "VMware"),
        ("VirtualBox", "VirtualBox"),
        ("innotek", "VirtualBox"),
        ("Xen", "Xen"),
        ("Microsoft Corporation Virtual Machine", "Hyper-V"),
        ("Amazon EC2", "Amazon EC2 (Nitro)"),
        ("Google Compute Engine", "Google Compute Engine"),
        ("BHYVE", "bhyve"),
        ("Firecracker", "Firecracker"),
    ];
    known
        .iter()
        .find(|(needle, _)| dmi.contains(needle))
        .map(|(_, name)| *name)
}

#[cfg(target_arch = "x86_64")]
fn cpuid_facts() -> (bool, Option<String>) {
    use std::arch::x86_64::__cpuid;

    let hypervisor_bit = __cpuid(1).ecx & (1 << 31) != 0;
    if !hypervisor_bit {
        return (false, None);
    }
    let leaf = __cpuid(0x4000_0000);
    let bytes: Vec<u8> = [leaf.ebx, leaf.ecx, leaf.edx]
        .iter()
        .flat_map(|r| r.to_le_bytes())
        .collect();
    let signature = String::from_utf8_lossy(&bytes)
        .trim_end_matches('\0')
        .to_string();
    (true, (!signature.trim().is_empty()).then_some(signature))
}

#[cfg(not(target_arch = "x86_64"))]
fn cpuid_facts() -> (bool, Option<String>) {
    (false, None)
}

#[cfg(target_os = "linux")]
fn read_facts() -> VirtualizationFacts {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let (cpuid_hypervisor_bit, cpuid_signature) = cpuid_facts();
    let dmi = [
        read("/sys/class/dmi/id/sys_vendor"),
        read("/sys/class/dmi/id/product_name"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    VirtualizationFacts {
        cpuid_hypervisor_bit,
        cpuid_signature,
        os_reported: read("/sys/hypervisor/type"),
        dmi: (!dmi.is_empty()).then_some(dmi),
    }
}

#[cfg(target_os = "freebsd")]
fn read_facts() -> VirtualizationFacts {
    let (cpuid_hypervisor_bit, cpuid_signature) = cpuid_facts();
    VirtualizationFacts {
        cpuid_hypervisor_bit,
        cpuid_signature,
        os_reported: crate::sysctl::sysctl_string("kern.vm_guest"),
        dmi: crate::sysctl::sysctl_string("smbios.system.product"),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
fn read_facts() -> VirtualizationFacts {
    let (cpuid_hypervisor_bit, cpuid_signature) = cpuid_facts();
    VirtualizationFacts {
        cpuid_hypervisor_bit,
        cpuid_signature,
        ..VirtualizationFacts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(bit: bool, signature: Option<&str>, dmi: Option<&str>) -> VirtualizationFacts {
        VirtualizationFacts {
            cpuid_hypervisor_bit: bit,
            cpuid_signature: signature.map(String::from),
            os_reported: None,
            dmi: dmi.map(String::from),
        }
    }

    #[test]
    fn qemu_tcg_is_an_emulated_cpu() {
        let v = Virtualization::classify(&facts(
            true,
            Some("TCGTCGTCGTCG"),
            Some("QEMU Standard PC (i440FX + PIIX, 1996)"),
        ));
        assert!(v.hypervisor);
        assert!(v.emulated_cpu);
        assert_eq!(v.name.as_deref(), Some("QEMU TCG"));
        assert_eq!(v.warnings().len(), 1);
        assert!(v.warnings()[0].contains("emulated"));
    }

    #[test]
    fn kvm_is_a_hypervisor_but_not_emulated() {
        let v = Virtualization::classify(&facts(true, Some("KVMKVMKVM"), None));
        assert!(v.hypervisor);
        assert!(!v.emulated_cpu);
        assert_eq!(v.summary(), "KVM");
        assert!(v.warnings()[0].contains("uprobe"));
    }

    #[test]
    fn dmi_names_a_hypervisor_cpuid_hides() {
        let v = Virtualization::classify(&facts(false, None, Some("VMware, Inc. VMware7,1")));
        assert!(v.hypervisor);
        assert_eq!(v.name.as_deref(), Some("VMware"));
    }

    #[test]
    fn bare_metal_has_no_warning() {
        let v = Virtualization::classify(&facts(false, None, Some("Dell Inc. PowerEdge R650")));
        assert!(!v.hypervisor);
        assert_eq!(v.summary(), "none");
        assert!(v.warnings().is_empty());
    }

    #[test]
    fn an_unknown_signature_is_still_a_hypervisor() {
        let v = Virtualization::classify(&facts(true, Some("NewVisor"), None));
        assert!(v.hypervisor);
        assert_eq!(v.name, None);
        assert_eq!(v.summary(), "unknown hypervisor");
    }
}
