//! What can stop a probecost command, as one type: the binary prints it as one line, and
//! turns [`Error::Interrupted`] into "print what was measured, exit 130".

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Ctrl-C or SIGTERM arrived; what was measured before it is still reported.
    #[error("interrupted")]
    Interrupted,
    /// This kernel or system cannot do what was asked; `reason` says why.
    #[error("{reason}")]
    Unsupported {
        /// What is missing and, where there is one, what to do.
        reason: String,
    },
    /// Input that cannot be measured (an unknown name, a bad path), with what to do.
    #[error("{0}")]
    Input(String),
    /// The traced programs never ran under the workload: no events, so no cost to report.
    /// The message names the programs and the workload.
    #[error("{0}")]
    NoEvents(String),
    /// A tracer backend failed (loading, the verifier, attaching, reading statistics).
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// An operation on the kernel or the system failed; the message names it.
    #[error("{0}")]
    Operation(String),
    /// An I/O operation failed; `what` names it.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An [`Error::Operation`] from any message.
    pub fn operation(message: impl Into<String>) -> Self {
        Self::Operation(message.into())
    }

    /// An [`Error::Io`] saying what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }

    /// An [`Error::Unsupported`] with `reason`.
    pub fn unsupported(reason: impl Into<String>) -> Self {
        Self::Unsupported {
            reason: reason.into(),
        }
    }
}

/// Errors that stop a benchmark (as opposed to a scenario the kernel cannot run).
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The verifier rejected a program.
    #[error("the kernel's verifier rejected program `{program}`: {error}\nverifier log:\n{log}")]
    VerifierRejected {
        /// Program name.
        program: String,
        /// The syscall's error.
        error: String,
        /// The verifier's log.
        log: String,
    },
    /// Loading the eBPF object or a program failed for another reason.
    #[error("could not load {what}: {error}")]
    Load {
        /// What was being loaded.
        what: String,
        /// Why it failed.
        error: String,
    },
    /// Attaching or detaching failed after the scenario had attached before.
    #[error("could not {action} `{program}` at {attach}: {error}")]
    Attach {
        /// attach or detach.
        action: &'static str,
        /// Program name.
        program: String,
        /// Attach point.
        attach: String,
        /// Why it failed.
        error: String,
    },
    /// Reading BPF statistics or maps failed.
    #[error("could not read {what}: {error}")]
    Read {
        /// What was being read.
        what: String,
        /// Why it failed.
        error: String,
    },
    /// The workload's I/O failed.
    #[error("workload failed: {0}")]
    Workload(String),
}

/// An error with its sources, on one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
