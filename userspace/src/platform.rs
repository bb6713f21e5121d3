//! The one place that knows which operating system probecost runs on: [`current`] returns the
//! platform's backends for each measurement, and every command goes through it.

#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
mod other;

use probecost_core::platform::Platform;

/// The platform probecost was built for.
pub fn current() -> Box<dyn Platform> {
    #[cfg(target_os = "linux")]
    return Box::new(probecost_linux::platform::Linux);
    #[cfg(target_os = "freebsd")]
    return Box::new(probecost_freebsd::platform::FreeBsd);
    #[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
    return Box::new(other::Other);
}
