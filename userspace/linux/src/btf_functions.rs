//! The names of the functions the kernel's BTF describes.
//!
//! fentry and fexit attach by BTF id, so a kernel function without a BTF `FUNC` entry cannot be
//! traced that way even when ftrace lists it: the compiler's copies (`vfs_kern_mount.part.0`,
//! `.isra.N`, `.constprop.N`, `.cold`) are such functions. One pass over the type section finds
//! every `FUNC` name; looking names up one by one would scan all types per name.

use probecost_core::error::Error;
use std::{collections::HashMap, fs};

const BTF_MAGIC: u16 = 0xeb9f;
const KIND_FUNC: u32 = 12;

/// Function names in a BTF blob, with their type ids.
#[derive(Clone, Debug, Default)]
pub struct BtfFunctions {
    ids: HashMap<String, u32>,
}

impl BtfFunctions {
    /// The running kernel's (`/sys/kernel/btf/vmlinux`).
    pub fn kernel() -> probecost_core::error::Result<Self> {
        let path = "/sys/kernel/btf/vmlinux";
        let bytes = fs::read(path).map_err(|e| Error::operation(format!("reading {path}: {e}")))?;
        Self::parse(&bytes).map_err(|e| Error::operation(format!("{path}: {e}")))
    }

    /// Parses a little-endian BTF blob (header, type section, string section).
    pub fn parse(bytes: &[u8]) -> probecost_core::error::Result<Self> {
        let u16_at = |at: usize| {
            bytes
                .get(at..at + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
        };
        let u32_at = |at: usize| {
            bytes
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        };
        if u16_at(0) != Some(BTF_MAGIC) {
            return Err(Error::operation("not little-endian BTF (bad magic)"));
        }
        let header = |field: usize| u32_at(field).map(|v| v as usize).ok_or("truncated header");
        let header_len = header(4).map_err(Error::operation)?;
        let (type_off, type_len) = (
            header(8).map_err(Error::operation)?,
            header(12).map_err(Error::operation)?,
        );
        let (str_off, str_len) = (
            header(16).map_err(Error::operation)?,
            header(20).map_err(Error::operation)?,
        );
        let types = header_len + type_off;
        let strings = header_len + str_off;
        if bytes.len() < types + type_len || bytes.len() < strings + str_len {
            return Err(Error::operation("sections run past the end"));
        }
        let string_at = |offset: usize| -> Option<&str> {
            let tail = bytes.get(strings + offset..strings + str_len)?;
            let end = tail.iter().position(|b| *b == 0)?;
            std::str::from_utf8(&tail[..end]).ok()
        };
        let mut ids = HashMap::new();
        let mut at = types;
        // Type ids count from 1 in section order (0 is `void`).
        let mut id = 1u32;
        while at < types + type_len {
            let (Some(name_off), Some(info)) = (u32_at(at), u32_at(at + 4)) else {
                return Err(Error::Operation(format!("truncated type at byte {at}")));
            };
            let kind = (info >> 24) & 0x1f;
            let vlen = (info & 0xffff) as usize;
            if kind == KIND_FUNC {
                if let Some(name) = string_at(name_off as usize).filter(|n| !n.is_empty()) {
                    ids.entry(name.to_string()).or_insert(id);
                }
            }
            at += 12
                + extra_bytes(kind, vlen)
                    .ok_or_else(|| Error::operation(format!("unknown BTF kind {kind}")))?;
            id += 1;
        }
        Ok(Self { ids })
    }

    /// Whether `function` has a BTF entry.
    pub fn contains(&self, function: &str) -> bool {
        self.ids.contains_key(function)
    }

    /// The BTF type id of `function`'s `FUNC` entry.
    pub fn id(&self, function: &str) -> Option<u32> {
        self.ids.get(function).copied()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// Bytes that follow the 12-byte `btf_type` for each kind (include/uapi/linux/btf.h).
fn extra_bytes(kind: u32, vlen: usize) -> Option<usize> {
    Some(match kind {
        // INT: one u32 of encoding.
        1 => 4,
        // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG.
        2 | 7 | 8 | 9 | 10 | 11 | 12 | 16 | 18 => 0,
        // ARRAY: btf_array.
        3 => 12,
        // STRUCT, UNION: btf_member per member.
        4 | 5 => 12 * vlen,
        // ENUM: btf_enum per value.
        6 => 8 * vlen,
        // FUNC_PROTO: btf_param per parameter.
        13 => 8 * vlen,
        // VAR: btf_var; DECL_TAG: btf_decl_tag.
        14 | 17 => 4,
        // DATASEC: btf_var_secinfo per variable.
        15 => 12 * vlen,
        // ENUM64: btf_enum64 per value.
        19 => 12 * vlen,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blob with an INT, a FUNC_PROTO with one parameter and two FUNCs.
    fn blob() -> Vec<u8> {
        let strings = b"\0int\0vfs_read\0vfs_write\0x\0".to_vec();
        let mut types = Vec::new();
        let mut ty = |name: u32, kind: u32, vlen: u32, size_or_type: u32, extra: &[u32]| {
            types.extend_from_slice(&name.to_le_bytes());
            types.extend_from_slice(&((kind << 24) | vlen).to_le_bytes());
            types.extend_from_slice(&size_or_type.to_le_bytes());
            for e in extra {
                types.extend_from_slice(&e.to_le_bytes());
            }
        };
        ty(1, 1, 0, 4, &[32]); // [1] int
        ty(0, 13, 1, 1, &[25, 1]); // [2] int (*)(int x)
        ty(5, 12, 0, 2, &[]); // [3] vfs_read
        ty(14, 12, 0, 2, &[]); // [4] vfs_write
        let mut out = Vec::new();
        out.extend_from_slice(&BTF_MAGIC.to_le_bytes());
        out.extend_from_slice(&[1, 0]); // version, flags
        for v in [
            24u32,
            0,
            types.len() as u32,
            types.len() as u32,
            strings.len() as u32,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&types);
        out.extend_from_slice(&strings);
        out
    }

    #[test]
    fn finds_function_names_past_other_kinds() {
        let functions = BtfFunctions::parse(&blob()).unwrap();
        assert_eq!(functions.len(), 2);
        assert!(functions.contains("vfs_read"));
        assert!(functions.contains("vfs_write"));
        assert_eq!(functions.id("vfs_read"), Some(3));
        assert_eq!(functions.id("vfs_write"), Some(4));
        assert!(!functions.contains("int"));
        assert!(!functions.contains("vfs_kern_mount.part.0"));
    }

    #[test]
    fn rejects_what_is_not_btf() {
        assert!(BtfFunctions::parse(b"\x7fELF....").is_err());
        let mut truncated = blob();
        truncated.truncate(30);
        assert!(BtfFunctions::parse(&truncated).is_err());
    }

    #[test]
    fn reads_the_running_kernel() {
        let Ok(functions) = BtfFunctions::kernel() else {
            eprintln!("skipped: no readable /sys/kernel/btf/vmlinux");
            return;
        };
        assert!(functions.len() > 1000, "{} functions", functions.len());
        assert!(functions.contains("vfs_read"));
    }
}
