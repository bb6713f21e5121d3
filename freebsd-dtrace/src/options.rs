//! Consumer options set with `dtrace_setopt` before a program is compiled.

/// Buffer sizes of a consumer, as dtrace(1)'s `-x` options spell them (`4m`, `512k`, `256`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerOptions {
    /// Principal buffer per CPU (`bufsize`): where per-event records wait for `dtrace_work`.
    pub bufsize: String,
    /// Aggregation buffer per CPU (`aggsize`).
    pub aggsize: String,
    /// Size of string values (`strsize`), which sizes `execname` keys.
    pub strsize: String,
}

impl Default for ConsumerOptions {
    fn default() -> Self {
        // dtrace(1)'s defaults, except a larger principal buffer so per-event output at
        // millions of events per second drops less between two `dtrace_work` calls.
        Self {
            bufsize: "16m".into(),
            aggsize: "4m".into(),
            strsize: "256".into(),
        }
    }
}

/// An option value dtrace_setopt would reject.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("option {name}={value} is not a size (digits with an optional k, m, g or t suffix)")]
pub struct InvalidOption {
    /// Option name.
    pub name: &'static str,
    /// The rejected value.
    pub value: String,
}

impl ConsumerOptions {
    /// The `(name, value)` pairs to pass to `dtrace_setopt`, validated.
    pub fn pairs(&self) -> Result<Vec<(&'static str, &str)>, InvalidOption> {
        let pairs = [
            ("bufsize", self.bufsize.as_str()),
            ("aggsize", self.aggsize.as_str()),
            ("strsize", self.strsize.as_str()),
        ];
        for (name, value) in pairs {
            if !is_size(value) {
                return Err(InvalidOption {
                    name,
                    value: value.to_string(),
                });
            }
        }
        Ok(pairs.to_vec())
    }
}

fn is_size(value: &str) -> bool {
    let digits = value.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G', 't', 'T']);
    let suffix_len = value.len() - digits.len();
    !digits.is_empty() && suffix_len <= 1 && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_sizes() {
        let options = ConsumerOptions::default();
        assert_eq!(
            options.pairs().unwrap(),
            vec![("bufsize", "16m"), ("aggsize", "4m"), ("strsize", "256")]
        );
    }

    #[test]
    fn rejects_what_is_not_a_size() {
        for bad in ["", "m", "16mm", "1.5m", "-4m", "4 m"] {
            let options = ConsumerOptions {
                bufsize: bad.into(),
                ..ConsumerOptions::default()
            };
            assert_eq!(
                options.pairs(),
                Err(InvalidOption {
                    name: "bufsize",
                    value: bad.into()
                }),
                "{bad:?}"
            );
        }
    }
}
