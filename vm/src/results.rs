//! What the guest sent back: a tar of its `/out`, base64-encoded on the second serial port
//! (text survives the serial line's newline translation; binary would not).

use std::path::Path;

use base64::Engine as _;

/// Decodes the serial port's text and unpacks the tar into `out_dir`; the error says what
/// went wrong with what was sent.
pub fn unpack(encoded: &[u8], out_dir: &Path) -> Result<(), String> {
    let text: Vec<u8> = encoded
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&text)
        .map_err(|e| {
            format!("the results did not decode ({e}): the guest stopped while sending")
        })?;
    tar::Archive::new(bytes.as_slice())
        .unpack(out_dir)
        .map_err(|e| format!("unpacking the results into {}: {e}", out_dir.display()))
}

/// Why a guest that ended sent nothing, from its console.
pub fn why_no_results(console: &str) -> String {
    let seen = |needle: &str| console.contains(needle);
    if let Some(line) = console
        .lines()
        .find(|l| l.starts_with("qemu-system-x86_64:") && !l.contains("warning"))
    {
        format!("QEMU failed: {}", line.trim())
    } else if seen("KVM internal error") || seen("emulation failure") {
        "KVM could not run the guest (its emulator failed); use TCG (--accel tcg)".into()
    } else if seen("Kernel panic") {
        let line = console
            .lines()
            .find(|l| l.contains("Kernel panic"))
            .unwrap_or_default();
        format!("the guest kernel panicked: {}", line.trim())
    } else if !seen(crate::qemu::PROGRESS_MARK) {
        "the guest never reached /init (no serial console, or no initramfs support: \
         CONFIG_SERIAL_8250_CONSOLE, CONFIG_BLK_DEV_INITRD)"
            .into()
    } else {
        "the guest stopped before sending".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_a_base64_tar_with_line_breaks() {
        let mut builder = tar::Builder::new(Vec::new());
        let data = b"{\"ok\":true}\n";
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "r.json", &data[..])
            .unwrap();
        let tar = builder.into_inner().unwrap();
        let encoded = base64::engine::general_purpose::STANDARD.encode(tar);
        // busybox base64 breaks lines at 76 columns; the serial line adds carriage returns.
        let wrapped: String = encoded
            .as_bytes()
            .chunks(76)
            .map(|c| format!("{}\r\n", String::from_utf8_lossy(c)))
            .collect();
        let dir = std::env::temp_dir().join(format!("probecost-vm-results-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        unpack(wrapped.as_bytes(), &dir).unwrap();
        assert_eq!(std::fs::read(dir.join("r.json")).unwrap(), data);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn says_why_nothing_came_back() {
        assert!(why_no_results("KVM internal error. Suberror: 1").contains("TCG"));
        assert!(why_no_results("[ 1.0] Kernel panic - not syncing: VFS").contains("panicked"));
        assert!(why_no_results("SeaBIOS").contains("never reached /init"));
        assert!(
            why_no_results("qemu-system-x86_64: error: failed to set MSR 0x10a")
                .starts_with("QEMU failed: qemu-system-x86_64: error")
        );
    }
}
