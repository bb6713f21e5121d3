//! Errors of the consumer, classified so a user reads what to do, not only what failed.

use std::fmt;

/// The libdtrace call that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `dtrace_open`.
    Open,
    /// `dtrace_setopt`.
    SetOption,
    /// `dtrace_handle_err`, `dtrace_handle_drop`, `dtrace_handle_buffered`.
    RegisterHandler,
    /// `dtrace_program_strcompile`.
    Compile,
    /// `dtrace_program_exec`.
    Exec,
    /// `dtrace_go`.
    Go,
    /// `dtrace_work`.
    Work,
    /// `dtrace_stop`.
    Stop,
    /// `dtrace_aggregate_snap` / `dtrace_aggregate_walk`.
    Aggregate,
    /// `dtrace_proc_create`.
    CreateProcess,
    /// `dtrace_probe_iter`.
    ListProbes,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Open => "dtrace_open",
            Self::SetOption => "dtrace_setopt",
            Self::RegisterHandler => "registering a libdtrace handler",
            Self::Compile => "dtrace_program_strcompile",
            Self::Exec => "dtrace_program_exec",
            Self::Go => "dtrace_go",
            Self::Work => "dtrace_work",
            Self::Stop => "dtrace_stop",
            Self::Aggregate => "reading aggregations",
            Self::CreateProcess => "dtrace_proc_create",
            Self::ListProbes => "dtrace_probe_iter",
        })
    }
}

/// What went wrong, with `dtrace_errmsg`'s text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DtraceError {
    /// The DTrace device is missing: the kernel modules are not loaded.
    #[error(
        "{operation}: {message}; /dev/dtrace/dtrace is missing: load DTrace with \
         `kldload dtraceall` (as root)"
    )]
    DriverMissing {
        /// The call.
        operation: Operation,
        /// libdtrace's message.
        message: String,
    },
    /// The caller may not use DTrace.
    #[error("{operation}: {message}; DTrace needs root (/dev/dtrace/dtrace is root-only)")]
    NotPermitted {
        /// The call.
        operation: Operation,
        /// libdtrace's message.
        message: String,
    },
    /// The D compiler rejected the program (a probe that matches nothing included).
    #[error("the D program does not compile: {message}\nprogram:\n{program}")]
    Compile {
        /// The compiler's message.
        message: String,
        /// The program text.
        program: String,
    },
    /// The program compiled but enables no probe.
    #[error("the D program matched no probes; is its provider loaded?\nprogram:\n{program}")]
    NoProbesMatched {
        /// The program text.
        program: String,
    },
    /// A string for libdtrace held a NUL byte.
    #[error("{what} contains a NUL byte")]
    InteriorNul {
        /// What the string was.
        what: String,
    },
    /// Any other failure.
    #[error("{operation} failed: {message} (error {errno})")]
    Other {
        /// The call.
        operation: Operation,
        /// `dtrace_errno` (an errno or a libdtrace EDT_* code).
        errno: i32,
        /// libdtrace's message.
        message: String,
    },
}

/// First of libdtrace's own error codes (`EDT_BASE`); smaller codes are errno values.
pub const EDT_BASE: i32 = 1000;

// FreeBSD's errno values (sys/errno.h); the Linux ones differ, so they are spelled out here.
const EPERM: i32 = 1;
const ENOENT: i32 = 2;
const ENXIO: i32 = 6;
const EACCES: i32 = 13;
const ENODEV: i32 = 19;

/// Classifies a failed call from its error code and `dtrace_errmsg` text. `program` is the D
/// text for compile and exec failures.
pub fn classify(operation: Operation, errno: i32, message: &str, program: &str) -> DtraceError {
    let message = message.trim_end().to_string();
    match (operation, errno) {
        (_, EPERM | EACCES) => DtraceError::NotPermitted { operation, message },
        (Operation::Open, ENOENT | ENXIO | ENODEV) => {
            DtraceError::DriverMissing { operation, message }
        }
        (Operation::Compile | Operation::Exec, _) => DtraceError::Compile {
            message,
            program: program.to_string(),
        },
        _ => DtraceError::Other {
            operation,
            errno,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_errors_say_root() {
        let e = classify(Operation::Open, EACCES, "Permission denied\n", "");
        assert!(matches!(e, DtraceError::NotPermitted { .. }));
        assert_eq!(
            e.to_string(),
            "dtrace_open: Permission denied; DTrace needs root (/dev/dtrace/dtrace is root-only)"
        );
    }

    #[test]
    fn a_missing_device_says_kldload() {
        let e = classify(Operation::Open, ENOENT, "No such file or directory", "");
        assert!(e.to_string().contains("kldload dtraceall"), "{e}");
        // ENOENT elsewhere (a missing file for a process) is not about the driver.
        let e = classify(Operation::CreateProcess, ENOENT, "No such file", "");
        assert!(matches!(e, DtraceError::Other { errno: ENOENT, .. }));
    }

    #[test]
    fn compiler_errors_carry_the_program() {
        let program = "fbt::nosuchfunc:entry {}\n";
        let e = classify(
            Operation::Compile,
            EDT_BASE + 1,
            "probe description fbt::nosuchfunc:entry does not match any probes",
            program,
        );
        assert_eq!(
            e,
            DtraceError::Compile {
                message: "probe description fbt::nosuchfunc:entry does not match any probes".into(),
                program: program.into(),
            }
        );
        assert!(e.to_string().ends_with(program));
    }

    #[test]
    fn other_errors_keep_the_code() {
        let e = classify(Operation::Go, EDT_BASE + 30, "Abort due to drops", "");
        assert_eq!(
            e.to_string(),
            "dtrace_go failed: Abort due to drops (error 1030)"
        );
    }
}
