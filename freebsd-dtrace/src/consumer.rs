//! A safe libdtrace consumer: open with options, compile and exec D programs, go, work, stop,
//! read aggregations, and close on drop (on error paths too). FreeBSD only.

use std::{
    collections::BTreeSet,
    ffi::{CStr, CString},
    os::raw::{c_char, c_int, c_void},
    ptr::{self, NonNull},
};

use crate::{
    aggregation::{self, AggregationValue},
    error::{classify, DtraceError, Operation},
    options::ConsumerOptions,
    output::{OutputCollector, OutputCounts},
    sys,
};

/// What `dtrace_program_exec` reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramInfo {
    /// Probes the program enabled.
    pub matches: u32,
    /// Aggregations it declares.
    pub aggregates: u32,
}

/// One aggregation's value under one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregation {
    /// Its name without the `@` (empty for the anonymous `@`).
    pub name: String,
    /// The decoded value.
    pub value: AggregationValue,
}

/// What `dtrace_work` said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkStatus {
    /// Still tracing.
    Okay,
    /// Tracing ended (`exit()` or stopped).
    Done,
}

/// A process created by the consumer for `pid$target` probes; released when the consumer is
/// dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetProcess {
    handle: NonNull<sys::ps_prochandle>,
    pid: libc::pid_t,
}

impl TargetProcess {
    /// The process id (`$target`).
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }
}

/// An open DTrace consumer.
pub struct Consumer {
    handle: NonNull<sys::dtrace_hdl_t>,
    // Boxed so the handlers' argument pointer stays valid while the consumer moves.
    output: Box<OutputCollector>,
    processes: Vec<TargetProcess>,
}

impl Consumer {
    /// Opens `/dev/dtrace/dtrace`, sets `options` and registers the error, drop and
    /// buffered-output handlers; output goes to `output`.
    pub fn open(options: &ConsumerOptions, output: OutputCollector) -> Result<Self, DtraceError> {
        let mut err: c_int = 0;
        // SAFETY: dtrace_open returns a handle or null and sets err.
        let raw = unsafe { sys::dtrace_open(sys::DTRACE_VERSION, 0, &mut err) };
        let Some(handle) = NonNull::new(raw) else {
            // SAFETY: dtrace_errmsg accepts a null handle for dtrace_open's errors.
            let message = unsafe { message(ptr::null_mut(), err) };
            return Err(classify(Operation::Open, err, &message, ""));
        };
        // From here on, Drop closes the handle whatever fails.
        let mut consumer = Self {
            handle,
            output: Box::new(output),
            processes: Vec::new(),
        };
        let pairs = options.pairs().map_err(|e| DtraceError::Other {
            operation: Operation::SetOption,
            errno: libc::EINVAL,
            message: e.to_string(),
        })?;
        for (name, value) in pairs {
            let name_c = c_string(name, "option name")?;
            let value_c = c_string(value, "option value")?;
            // SAFETY: both strings live until the call returns.
            let rc =
                unsafe { sys::dtrace_setopt(consumer.raw(), name_c.as_ptr(), value_c.as_ptr()) };
            consumer.check(rc, Operation::SetOption, "")?;
        }
        consumer.register_handlers()?;
        Ok(consumer)
    }

    fn raw(&self) -> *mut sys::dtrace_hdl_t {
        self.handle.as_ptr()
    }

    fn output_arg(&mut self) -> *mut c_void {
        (&mut *self.output as *mut OutputCollector).cast()
    }

    fn register_handlers(&mut self) -> Result<(), DtraceError> {
        let arg = self.output_arg();
        // SAFETY: the handlers are 'static functions; `arg` points into a Box this consumer
        // owns for as long as the handle exists.
        let rcs = unsafe {
            [
                sys::dtrace_handle_err(self.raw(), Some(on_error), arg),
                sys::dtrace_handle_drop(self.raw(), Some(on_drop), arg),
                sys::dtrace_handle_buffered(self.raw(), Some(on_buffered), arg),
            ]
        };
        for rc in rcs {
            self.check(rc, Operation::RegisterHandler, "")?;
        }
        Ok(())
    }

    /// The last error on this handle, classified.
    fn last_error(&self, operation: Operation, program: &str) -> DtraceError {
        // SAFETY: the handle is open.
        let errno = unsafe { sys::dtrace_errno(self.raw()) };
        // SAFETY: as above.
        let text = unsafe { message(self.raw(), errno) };
        classify(operation, errno, &text, program)
    }

    fn check(&self, rc: c_int, operation: Operation, program: &str) -> Result<(), DtraceError> {
        if rc == -1 {
            Err(self.last_error(operation, program))
        } else {
            Ok(())
        }
    }

    /// Starts `argv` stopped, as `$target` for the programs compiled after it; it runs once
    /// [`Self::resume`] is called.
    pub fn create_process(&mut self, argv: &[String]) -> Result<TargetProcess, DtraceError> {
        let args: Vec<CString> = argv
            .iter()
            .map(|a| c_string(a, "process argument"))
            .collect::<Result<_, _>>()?;
        let Some(file) = args.first() else {
            return Err(DtraceError::Other {
                operation: Operation::CreateProcess,
                errno: libc::EINVAL,
                message: "empty command".into(),
            });
        };
        let mut pointers: Vec<*mut c_char> = args.iter().map(|a| a.as_ptr().cast_mut()).collect();
        pointers.push(ptr::null_mut());
        // SAFETY: file and argv (null-terminated) live until the call returns; libdtrace
        // copies them into the child.
        let raw = unsafe {
            sys::dtrace_proc_create(
                self.raw(),
                file.as_ptr(),
                pointers.as_ptr(),
                None,
                ptr::null_mut(),
            )
        };
        let handle =
            NonNull::new(raw).ok_or_else(|| self.last_error(Operation::CreateProcess, ""))?;
        // SAFETY: a live process handle.
        let pid = unsafe { sys::proc_getpid(handle.as_ptr()) };
        let process = TargetProcess { handle, pid };
        self.processes.push(process);
        Ok(process)
    }

    /// Lets a process from [`Self::create_process`] run.
    pub fn resume(&mut self, process: TargetProcess) {
        // SAFETY: the handle belongs to this consumer and is released only on drop.
        unsafe { sys::dtrace_proc_continue(self.raw(), process.handle.as_ptr()) }
    }

    /// Compiles `program` and enables its probes; they fire after [`Self::go`].
    pub fn compile_and_exec(&mut self, program: &str) -> Result<ProgramInfo, DtraceError> {
        let text = c_string(program, "the D program")?;
        // SAFETY: the text lives until the call returns; no arguments ($1...) are passed.
        let compiled = unsafe {
            sys::dtrace_program_strcompile(
                self.raw(),
                text.as_ptr(),
                sys::DTRACE_PROBESPEC_NAME,
                0,
                0,
                ptr::null(),
            )
        };
        if compiled.is_null() {
            return Err(self.last_error(Operation::Compile, program));
        }
        let mut info = sys::dtrace_proginfo_t::default();
        // SAFETY: `compiled` belongs to this handle; info is written by the call.
        let rc = unsafe { sys::dtrace_program_exec(self.raw(), compiled, &mut info) };
        self.check(rc, Operation::Exec, program)?;
        if info.dpi_matches == 0 {
            return Err(DtraceError::NoProbesMatched {
                program: program.to_string(),
            });
        }
        Ok(ProgramInfo {
            matches: info.dpi_matches,
            aggregates: info.dpi_aggregates,
        })
    }

    /// Starts tracing.
    pub fn go(&mut self) -> Result<(), DtraceError> {
        // SAFETY: the handle is open.
        let rc = unsafe { sys::dtrace_go(self.raw()) };
        self.check(rc, Operation::Go, "")
    }

    /// Consumes the buffers once: per-event output reaches the collector, drops the drop
    /// handler.
    pub fn work(&mut self) -> Result<WorkStatus, DtraceError> {
        // SAFETY: a null FILE is allowed with a buffered handler registered; the callbacks
        // take no state.
        let rc = unsafe {
            sys::dtrace_work(
                self.raw(),
                ptr::null_mut(),
                Some(on_probe),
                Some(on_record),
                ptr::null_mut(),
            )
        };
        if let Some(e) = self.output.take_write_error() {
            return Err(DtraceError::Other {
                operation: Operation::Work,
                errno: e.raw_os_error().unwrap_or(0),
                message: format!("writing per-event output: {e}"),
            });
        }
        match rc {
            sys::DTRACE_WORKSTATUS_DONE => Ok(WorkStatus::Done),
            sys::DTRACE_WORKSTATUS_OKAY => Ok(WorkStatus::Okay),
            _ => Err(self.last_error(Operation::Work, "")),
        }
    }

    /// Stops tracing; call [`Self::work`] once more to consume what is left.
    pub fn stop(&mut self) -> Result<(), DtraceError> {
        // SAFETY: the handle is open.
        let rc = unsafe { sys::dtrace_stop(self.raw()) };
        self.check(rc, Operation::Stop, "")
    }

    /// Snapshots and decodes every aggregation (keys are not decoded: probecost's programs
    /// name one aggregation per thing they count).
    pub fn aggregations(&mut self) -> Result<Vec<Aggregation>, DtraceError> {
        // SAFETY: the handle is open.
        let rc = unsafe { sys::dtrace_aggregate_snap(self.raw()) };
        self.check(rc, Operation::Aggregate, "")?;
        let mut walk = AggregationWalk::default();
        // SAFETY: `walk` outlives the call; the callback only reads what libdtrace passes.
        let rc = unsafe {
            sys::dtrace_aggregate_walk(
                self.raw(),
                Some(on_aggregation),
                (&mut walk as *mut AggregationWalk).cast(),
            )
        };
        if let Some(e) = walk.error {
            return Err(DtraceError::Other {
                operation: Operation::Aggregate,
                errno: 0,
                message: e.to_string(),
            });
        }
        self.check(rc, Operation::Aggregate, "")?;
        Ok(walk.values)
    }

    /// The providers whose probes the kernel offers now (`fbt`, `syscall`, `fasttrap`...).
    pub fn providers(&mut self) -> Result<BTreeSet<String>, DtraceError> {
        let mut providers = BTreeSet::new();
        // SAFETY: a null description matches every probe; `providers` outlives the call.
        let rc = unsafe {
            sys::dtrace_probe_iter(
                self.raw(),
                ptr::null(),
                Some(on_probe_listed),
                (&mut providers as *mut BTreeSet<String>).cast(),
            )
        };
        self.check(rc, Operation::ListProbes, "")?;
        Ok(providers)
    }

    /// Output lines, drops and probe errors so far.
    pub fn output(&self) -> OutputCounts {
        self.output.counts()
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        for process in self.processes.drain(..) {
            // SAFETY: created by this handle, released once.
            unsafe { sys::dtrace_proc_release(self.handle.as_ptr(), process.handle.as_ptr()) };
        }
        // SAFETY: the handle is open and closed once; closing removes the enablings.
        unsafe { sys::dtrace_close(self.handle.as_ptr()) };
    }
}

fn c_string(s: &str, what: &str) -> Result<CString, DtraceError> {
    CString::new(s).map_err(|_| DtraceError::InteriorNul { what: what.into() })
}

/// `dtrace_errmsg`'s text for `errno`.
///
/// # Safety
/// `handle` is null or an open libdtrace handle.
unsafe fn message(handle: *mut sys::dtrace_hdl_t, errno: c_int) -> String {
    // SAFETY: the caller passes null or an open handle, which dtrace_errmsg accepts.
    let text = unsafe { sys::dtrace_errmsg(handle, errno) };
    if text.is_null() {
        format!("error {errno}")
    } else {
        // SAFETY: a non-null dtrace_errmsg result is a NUL-terminated static or
        // handle-owned string, read before the handle can change it.
        unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .into_owned()
    }
}

/// `dtrace_work`'s probe callback: consume each probe's records.
///
/// # Safety
/// Called by libdtrace only; it touches neither argument.
unsafe extern "C" fn on_probe(_data: *const sys::dtrace_probedata_t, _arg: *mut c_void) -> c_int {
    sys::DTRACE_CONSUME_THIS
}

/// `dtrace_work`'s record callback: consume records until the enabling's last.
///
/// # Safety
/// Called by libdtrace only; it compares `record` with null and dereferences nothing.
unsafe extern "C" fn on_record(
    _data: *const sys::dtrace_probedata_t,
    record: *const sys::dtrace_recdesc_t,
    _arg: *mut c_void,
) -> c_int {
    // A null record ends an enabling's data.
    if record.is_null() {
        sys::DTRACE_CONSUME_NEXT
    } else {
        sys::DTRACE_CONSUME_THIS
    }
}

/// The buffered-output handler: each formatted line goes to the collector.
///
/// # Safety
/// Registered by `register_handlers` with `arg` the consumer's boxed [`OutputCollector`];
/// libdtrace calls it on the consuming thread with a valid `data`.
unsafe extern "C" fn on_buffered(data: *const sys::dtrace_bufdata_t, arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the consumer's OutputCollector, alive as long as the handle, and no
    // other reference to it exists during the callback (dtrace_work holds &mut self).
    let collector = unsafe { &mut *arg.cast::<OutputCollector>() };
    // SAFETY: libdtrace passes a valid bufdata for the duration of the call.
    let text = unsafe { (*data).dtbda_buffered };
    if !text.is_null() {
        // SAFETY: a non-null dtbda_buffered is a NUL-terminated string owned by libdtrace
        // for the duration of the call; the bytes are copied before returning.
        collector.buffered(unsafe { CStr::from_ptr(text) }.to_bytes());
    }
    sys::DTRACE_HANDLE_OK
}

/// The drop handler: dropped records are counted by the collector.
///
/// # Safety
/// As [`on_buffered`]: `arg` is the consumer's [`OutputCollector`], `data` valid for the call.
unsafe extern "C" fn on_drop(data: *const sys::dtrace_dropdata_t, arg: *mut c_void) -> c_int {
    // SAFETY: as in on_buffered, `arg` is the consumer's collector, not borrowed elsewhere.
    let collector = unsafe { &mut *arg.cast::<OutputCollector>() };
    // SAFETY: libdtrace passes a valid dropdata for the duration of the call.
    collector.dropped(unsafe { (*data).dtdda_drops });
    sys::DTRACE_HANDLE_OK
}

/// The probe-error handler: errors in D actions are counted by the collector.
///
/// # Safety
/// As [`on_buffered`]: `arg` is the consumer's [`OutputCollector`]; `data` is not read.
unsafe extern "C" fn on_error(_data: *const sys::dtrace_errdata_t, arg: *mut c_void) -> c_int {
    // SAFETY: as in on_buffered, `arg` is the consumer's collector, not borrowed elsewhere.
    let collector = unsafe { &mut *arg.cast::<OutputCollector>() };
    collector.probe_error();
    sys::DTRACE_HANDLE_OK
}

/// `dtrace_probe_iter`'s callback: each probe's provider name goes into the set.
///
/// # Safety
/// Called from `providers` only, with `arg` its `BTreeSet<String>` and `desc` valid for the call.
unsafe extern "C" fn on_probe_listed(
    _handle: *mut sys::dtrace_hdl_t,
    desc: *const sys::dtrace_probedesc_t,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: `arg` is the set `providers` passed, alive and unborrowed during the walk.
    let providers = unsafe { &mut *arg.cast::<BTreeSet<String>>() };
    // SAFETY: `desc` is valid for the call; dtpd_provider is a NUL-terminated array.
    let name = unsafe { CStr::from_ptr((*desc).dtpd_provider.as_ptr()) };
    if !providers.contains(name.to_str().unwrap_or_default()) {
        providers.insert(name.to_string_lossy().into_owned());
    }
    0
}

#[derive(Default)]
struct AggregationWalk {
    values: Vec<Aggregation>,
    error: Option<aggregation::DecodeError>,
}

/// `dtrace_aggregate_walk`'s callback: decode each aggregation's value.
///
/// # Safety
/// Called from `aggregations` only, with `arg` its [`AggregationWalk`] and `data` (and the
/// description and buffer it points to) valid for the call.
unsafe extern "C" fn on_aggregation(data: *const sys::dtrace_aggdata_t, arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the walk `aggregations` passed, alive and unborrowed during the walk.
    let walk = unsafe { &mut *arg.cast::<AggregationWalk>() };
    // SAFETY: libdtrace passes a valid aggdata whose description is valid too.
    let (desc, nrecs) = unsafe {
        let desc = (*data).dtada_desc;
        (desc, (*desc).dtagd_nrecs)
    };
    if nrecs < 1 {
        return sys::DTRACE_AGGWALK_NEXT;
    }
    // The aggregating action is the last record; the ones before it are the keys.
    // SAFETY: dtagd_rec is a trailing array of dtagd_nrecs (>= 1, checked above) records, and
    // the record's offset and size lie within the aggregation's data buffer.
    let (record, bytes) = unsafe {
        let records = ptr::addr_of!((*desc).dtagd_rec).cast::<sys::dtrace_recdesc_t>();
        let record = *records.add(nrecs as usize - 1);
        let bytes = std::slice::from_raw_parts(
            (*data)
                .dtada_data
                .add(record.dtrd_offset as usize)
                .cast::<u8>(),
            record.dtrd_size as usize,
        );
        (record, bytes)
    };
    match aggregation::decode(record.dtrd_action, record.dtrd_arg, bytes) {
        Ok(value) => {
            // SAFETY: the description is valid for the call; a non-null name is a
            // NUL-terminated string it owns.
            let name = unsafe {
                if (*desc).dtagd_name.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr((*desc).dtagd_name)
                        .to_string_lossy()
                        .into_owned()
                }
            };
            walk.values.push(Aggregation { name, value });
            sys::DTRACE_AGGWALK_NEXT
        }
        Err(e) => {
            walk.error = Some(e);
            sys::DTRACE_AGGWALK_ERROR
        }
    }
}
