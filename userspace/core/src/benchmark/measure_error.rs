//! Why a measurement stopped, and how that becomes the command's error.

use crate::{
    error::{BackendError, Error},
    workload::WorkloadError,
};

/// Why a measurement stopped: the workload (or an interruption) or the tracer.
#[derive(Debug)]
pub enum MeasureError {
    /// The workload failed or was interrupted.
    Workload(WorkloadError),
    /// The tracer failed.
    Backend(BackendError),
}

impl From<WorkloadError> for MeasureError {
    fn from(e: WorkloadError) -> Self {
        Self::Workload(e)
    }
}

impl From<BackendError> for MeasureError {
    fn from(e: BackendError) -> Self {
        Self::Backend(e)
    }
}

impl From<MeasureError> for Error {
    fn from(e: MeasureError) -> Self {
        match e {
            MeasureError::Workload(WorkloadError::Interrupted) => Error::Interrupted,
            MeasureError::Workload(WorkloadError::Io(e)) => Error::io("running the workload")(e),
            MeasureError::Backend(e) => e.into(),
        }
    }
}
