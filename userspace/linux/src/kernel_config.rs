//! The running kernel's build configuration, where the kernel or the distribution publishes it
//! (`/proc/config.gz` with CONFIG_IKCONFIG_PROC, `/boot/config-$(uname -r)`), so that a missing
//! feature can be blamed on the configuration only when the configuration says so.

use std::{fs, io::Read as _, path::PathBuf};

/// A kernel configuration and the file it came from.
#[derive(Clone, Debug)]
pub struct KernelConfig {
    source: PathBuf,
    text: String,
}

/// What the configuration says of one option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigValue {
    /// `CONFIG_X=y`, `=m`, or another value.
    Set(String),
    /// `# CONFIG_X is not set`, or not mentioned (options whose dependencies are off are left
    /// out of the file entirely).
    NotSet,
}

impl KernelConfig {
    /// Reads the running kernel's configuration, `None` when no source has it.
    pub fn read() -> Option<Self> {
        if let Some(text) = read_gzip("/proc/config.gz") {
            return Some(Self::from_text("/proc/config.gz", text));
        }
        let boot = format!(
            "/boot/config-{}",
            probecost_core::environment::uname_release()
        );
        let text = fs::read_to_string(&boot).ok()?;
        Some(Self::from_text(boot, text))
    }

    /// A configuration from its text.
    pub fn from_text(source: impl Into<PathBuf>, text: String) -> Self {
        Self {
            source: source.into(),
            text,
        }
    }

    /// Where the configuration was read.
    pub fn source(&self) -> &std::path::Path {
        &self.source
    }

    /// The value of `option` (`CONFIG_KPROBES`).
    pub fn value(&self, option: &str) -> ConfigValue {
        self.text
            .lines()
            .find_map(|line| {
                let (name, value) = line.trim().split_once('=')?;
                (name == option).then(|| ConfigValue::Set(value.to_string()))
            })
            .unwrap_or(ConfigValue::NotSet)
    }
}

fn read_gzip(path: &str) -> Option<String> {
    let file = fs::File::open(path).ok()?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_set_and_unset_options() {
        let config = KernelConfig::from_text(
            "/boot/config-test",
            "CONFIG_KPROBES=y\n# CONFIG_FPROBE is not set\nCONFIG_HZ=250\nCONFIG_KPROBE_EVENTS=y\n"
                .into(),
        );
        assert_eq!(config.value("CONFIG_KPROBES"), ConfigValue::Set("y".into()));
        assert_eq!(config.value("CONFIG_HZ"), ConfigValue::Set("250".into()));
        assert_eq!(config.value("CONFIG_FPROBE"), ConfigValue::NotSet);
        assert_eq!(config.value("CONFIG_UPROBES"), ConfigValue::NotSet);
        // A prefix of another option is not that option.
        assert_eq!(config.value("CONFIG_KPROBE"), ConfigValue::NotSet);
    }
}
