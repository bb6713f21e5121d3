//! FFI declarations of the libdtrace consumer API, as FreeBSD's
//! `cddl/contrib/opensolaris/lib/libdtrace/common/dtrace.h` declares it.

#![allow(non_camel_case_types)]

use libc::{c_char, c_int, c_uint, c_void, pid_t, FILE};

/// The library ABI version probecost is written against.
pub const DTRACE_VERSION: c_int = 3;

/// An open consumer (`dtrace_hdl_t`), opaque.
#[repr(C)]
pub struct dtrace_hdl_t {
    _opaque: [u8; 0],
}

/// A compiled program (`dtrace_prog_t`), opaque.
#[repr(C)]
pub struct dtrace_prog_t {
    _opaque: [u8; 0],
}

/// A libproc process handle (`struct ps_prochandle`), opaque.
#[repr(C)]
pub struct ps_prochandle {
    _opaque: [u8; 0],
}

/// Enabled-probe and probe descriptions: probecost never reads them.
#[repr(C)]
pub struct dtrace_eprobedesc_t {
    _opaque: [u8; 0],
}

/// Length of a provider name in a probe description (`DTRACE_PROVNAMELEN`).
pub const DTRACE_PROVNAMELEN: usize = 64;

/// `dtrace_probedesc_t`, the leading fields (module, function and name follow).
#[repr(C)]
pub struct dtrace_probedesc_t {
    pub dtpd_id: u32,
    /// NUL-terminated provider name.
    pub dtpd_provider: [c_char; DTRACE_PROVNAMELEN],
}

/// `dtrace_attribute_t`: name, data and class stability.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct dtrace_attribute_t {
    pub dtat_name: u8,
    pub dtat_data: u8,
    pub dtat_class: u8,
}

/// What `dtrace_program_exec` reports about a program.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct dtrace_proginfo_t {
    pub dpi_descattr: dtrace_attribute_t,
    pub dpi_stmtattr: dtrace_attribute_t,
    pub dpi_aggregates: c_uint,
    pub dpi_recgens: c_uint,
    /// Number of probes the program matched.
    pub dpi_matches: c_uint,
    pub dpi_speculations: c_uint,
}

/// `dtrace_recdesc_t`: one record of an enabling's data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct dtrace_recdesc_t {
    /// `dtrace_actkind_t`: the action that produced the record.
    pub dtrd_action: u16,
    pub dtrd_size: u32,
    pub dtrd_offset: u32,
    pub dtrd_alignment: u16,
    pub dtrd_format: u16,
    /// Action argument (the encoded lquantize parameters, for one).
    pub dtrd_arg: u64,
    pub dtrd_uarg: u64,
}

/// `dtrace_aggdesc_t`, up to the first record description (more follow in memory).
#[repr(C)]
pub struct dtrace_aggdesc_t {
    pub dtagd_name: *mut c_char,
    pub dtagd_varid: i64,
    pub dtagd_flags: c_int,
    pub dtagd_id: u32,
    pub dtagd_epid: u32,
    pub dtagd_size: u32,
    /// Number of records: the keys, then the aggregating action last.
    pub dtagd_nrecs: c_int,
    pub dtagd_pad: u32,
    pub dtagd_rec: [dtrace_recdesc_t; 1],
}

/// `struct dtrace_aggdata`, the leading fields probecost reads.
#[repr(C)]
pub struct dtrace_aggdata_t {
    pub dtada_handle: *mut dtrace_hdl_t,
    pub dtada_desc: *mut dtrace_aggdesc_t,
    pub dtada_edesc: *mut dtrace_eprobedesc_t,
    pub dtada_pdesc: *mut dtrace_probedesc_t,
    /// The raw data the record descriptions' offsets index.
    pub dtada_data: *mut c_char,
    pub dtada_normal: u64,
    pub dtada_size: usize,
}

/// `dtrace_probedata_t`, the leading fields.
#[repr(C)]
pub struct dtrace_probedata_t {
    pub dtpda_handle: *mut dtrace_hdl_t,
    pub dtpda_edesc: *mut dtrace_eprobedesc_t,
    pub dtpda_pdesc: *mut dtrace_probedesc_t,
    pub dtpda_cpu: c_int,
    pub dtpda_data: *mut c_char,
}

/// `dtrace_errdata_t`.
#[repr(C)]
pub struct dtrace_errdata_t {
    pub dteda_handle: *mut dtrace_hdl_t,
    pub dteda_edesc: *mut dtrace_eprobedesc_t,
    pub dteda_pdesc: *mut dtrace_probedesc_t,
    pub dteda_cpu: c_int,
    pub dteda_action: c_int,
    pub dteda_offset: c_int,
    pub dteda_fault: c_int,
    pub dteda_addr: u64,
    pub dteda_msg: *const c_char,
}

/// `dtrace_dropdata_t`.
#[repr(C)]
pub struct dtrace_dropdata_t {
    pub dtdda_handle: *mut dtrace_hdl_t,
    pub dtdda_cpu: c_int,
    /// `dtrace_dropkind_t`.
    pub dtdda_kind: c_int,
    pub dtdda_drops: u64,
    pub dtdda_total: u64,
    pub dtdda_msg: *const c_char,
}

/// `dtrace_bufdata_t`: one piece of buffered (formatted) output.
#[repr(C)]
pub struct dtrace_bufdata_t {
    pub dtbda_handle: *mut dtrace_hdl_t,
    pub dtbda_buffered: *const c_char,
    pub dtbda_probe: *mut dtrace_probedata_t,
    pub dtbda_recdesc: *const dtrace_recdesc_t,
    pub dtbda_aggdata: *const dtrace_aggdata_t,
    pub dtbda_flags: u32,
}

/// `dtrace_probespec_t` value for a whole program's text.
pub const DTRACE_PROBESPEC_NAME: c_int = 3;
/// `dtrace_work` results.
pub const DTRACE_WORKSTATUS_ERROR: c_int = -1;
pub const DTRACE_WORKSTATUS_OKAY: c_int = 0;
pub const DTRACE_WORKSTATUS_DONE: c_int = 1;
/// Consumer-callback and handler results.
pub const DTRACE_CONSUME_THIS: c_int = 0;
pub const DTRACE_CONSUME_NEXT: c_int = 1;
pub const DTRACE_HANDLE_OK: c_int = 0;
pub const DTRACE_AGGWALK_NEXT: c_int = 0;
pub const DTRACE_AGGWALK_ERROR: c_int = -1;

pub type dtrace_consume_probe_f =
    Option<unsafe extern "C" fn(*const dtrace_probedata_t, *mut c_void) -> c_int>;
pub type dtrace_consume_rec_f = Option<
    unsafe extern "C" fn(*const dtrace_probedata_t, *const dtrace_recdesc_t, *mut c_void) -> c_int,
>;
pub type dtrace_aggregate_f =
    Option<unsafe extern "C" fn(*const dtrace_aggdata_t, *mut c_void) -> c_int>;
pub type dtrace_handle_err_f =
    Option<unsafe extern "C" fn(*const dtrace_errdata_t, *mut c_void) -> c_int>;
pub type dtrace_handle_drop_f =
    Option<unsafe extern "C" fn(*const dtrace_dropdata_t, *mut c_void) -> c_int>;
pub type dtrace_handle_buffered_f =
    Option<unsafe extern "C" fn(*const dtrace_bufdata_t, *mut c_void) -> c_int>;
pub type dtrace_probe_f = Option<
    unsafe extern "C" fn(*mut dtrace_hdl_t, *const dtrace_probedesc_t, *mut c_void) -> c_int,
>;
/// FreeBSD's libproc child callback for `dtrace_proc_create`.
pub type proc_child_func = Option<unsafe extern "C" fn(*mut c_void)>;

#[cfg_attr(target_os = "freebsd", link(name = "dtrace"))]
#[cfg_attr(target_os = "freebsd", link(name = "proc"))]
#[cfg_attr(target_os = "freebsd", link(name = "ctf"))]
#[cfg_attr(target_os = "freebsd", link(name = "elf"))]
#[cfg_attr(target_os = "freebsd", link(name = "rtld_db"))]
#[cfg_attr(target_os = "freebsd", link(name = "z"))]
extern "C" {
    pub fn dtrace_open(version: c_int, flags: c_int, errp: *mut c_int) -> *mut dtrace_hdl_t;
    pub fn dtrace_close(dtp: *mut dtrace_hdl_t);
    pub fn dtrace_setopt(dtp: *mut dtrace_hdl_t, opt: *const c_char, val: *const c_char) -> c_int;
    pub fn dtrace_program_strcompile(
        dtp: *mut dtrace_hdl_t,
        s: *const c_char,
        spec: c_int,
        cflags: c_uint,
        argc: c_int,
        argv: *const *mut c_char,
    ) -> *mut dtrace_prog_t;
    pub fn dtrace_program_exec(
        dtp: *mut dtrace_hdl_t,
        pgp: *mut dtrace_prog_t,
        pip: *mut dtrace_proginfo_t,
    ) -> c_int;
    pub fn dtrace_go(dtp: *mut dtrace_hdl_t) -> c_int;
    pub fn dtrace_stop(dtp: *mut dtrace_hdl_t) -> c_int;
    pub fn dtrace_sleep(dtp: *mut dtrace_hdl_t);
    pub fn dtrace_work(
        dtp: *mut dtrace_hdl_t,
        fp: *mut FILE,
        pfunc: dtrace_consume_probe_f,
        rfunc: dtrace_consume_rec_f,
        arg: *mut c_void,
    ) -> c_int;
    pub fn dtrace_status(dtp: *mut dtrace_hdl_t) -> c_int;
    pub fn dtrace_aggregate_snap(dtp: *mut dtrace_hdl_t) -> c_int;
    pub fn dtrace_aggregate_walk(
        dtp: *mut dtrace_hdl_t,
        func: dtrace_aggregate_f,
        arg: *mut c_void,
    ) -> c_int;
    pub fn dtrace_handle_err(
        dtp: *mut dtrace_hdl_t,
        hdlr: dtrace_handle_err_f,
        arg: *mut c_void,
    ) -> c_int;
    pub fn dtrace_handle_drop(
        dtp: *mut dtrace_hdl_t,
        hdlr: dtrace_handle_drop_f,
        arg: *mut c_void,
    ) -> c_int;
    pub fn dtrace_handle_buffered(
        dtp: *mut dtrace_hdl_t,
        hdlr: dtrace_handle_buffered_f,
        arg: *mut c_void,
    ) -> c_int;
    pub fn dtrace_proc_create(
        dtp: *mut dtrace_hdl_t,
        file: *const c_char,
        argv: *const *mut c_char,
        pfunc: proc_child_func,
        child_arg: *mut c_void,
    ) -> *mut ps_prochandle;
    pub fn dtrace_proc_grab(dtp: *mut dtrace_hdl_t, pid: pid_t, flags: c_int)
        -> *mut ps_prochandle;
    pub fn dtrace_proc_continue(dtp: *mut dtrace_hdl_t, p: *mut ps_prochandle);
    pub fn dtrace_proc_release(dtp: *mut dtrace_hdl_t, p: *mut ps_prochandle);
    pub fn dtrace_probe_iter(
        dtp: *mut dtrace_hdl_t,
        pdp: *const dtrace_probedesc_t,
        func: dtrace_probe_f,
        arg: *mut c_void,
    ) -> c_int;
    pub fn dtrace_errno(dtp: *mut dtrace_hdl_t) -> c_int;
    pub fn dtrace_errmsg(dtp: *mut dtrace_hdl_t, error: c_int) -> *const c_char;
    /// libproc: the process id behind a handle.
    pub fn proc_getpid(p: *mut ps_prochandle) -> pid_t;
}
