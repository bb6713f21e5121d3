//! `probecost measure --object FILE.bpf.o`: a user's compiled BPF object, opened with libbpf
//! (CO-RE against the running kernel's BTF, BTF-defined maps), its programs attached from their
//! `SEC()` names as libbpf's auto-attach does, or where `--attach` says.

use std::path::{Path, PathBuf};

use libbpf_rs::ErrorKind;

use super::{
    attach_point::{AttachPoint, ATTACH_POINT_FORMS},
    loaded_programs::{program_choices, Attachment, Load, LoadedPrograms, PlannedProgram},
    loader::{self, LoadError},
    messages, LIBBPF_VERSION,
};
use probecost_core::{
    benchmark::{AttachChoice, Prepared, SuiteRow, TracerBackend},
    error::{BackendError, Error},
    platform::ObjectRequest,
    scenario::Scenario,
    tracer::Tracer,
};

/// How many lines of the verifier's log a rejection shows: where it says why it stopped.
const VERIFIER_LINES_SHOWN: usize = 8;

/// A user's object as a tracer backend: `prepare` loads the chosen programs (the verifier
/// runs then) and attaches each once, so a program that cannot attach is an error before
/// anything is timed.
pub struct UserObject {
    path: PathBuf,
    plan: Vec<PlannedProgram>,
}

impl UserObject {
    /// Opens the object (nothing is loaded into the kernel yet) and works out which programs
    /// to load and where each attaches. Every bad input is one line naming it.
    pub fn open(request: &ObjectRequest) -> Result<Self, Error> {
        let open = loader::open_file(&request.path).map_err(input_error)?;
        let sections: Vec<(String, String)> = open
            .progs()
            .map(|p| {
                (
                    p.name().to_string_lossy().into_owned(),
                    p.section().to_string_lossy().into_owned(),
                )
            })
            .collect();
        let object = request.path.display().to_string();
        if sections.is_empty() {
            return Err(Error::Input(format!("{object} has no BPF programs")));
        }
        let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
        let chosen: Vec<String> = if request.programs.is_empty() {
            names.iter().map(|n| n.to_string()).collect()
        } else {
            for program in &request.programs {
                if !names.contains(&program.as_str()) {
                    return Err(input_error(LoadError::NoSuchProgram {
                        program: program.clone(),
                        object: object.clone(),
                        available: names.join(", "),
                    }));
                }
            }
            request.programs.clone()
        };
        let points = attach_points(&request.attach, &chosen)?;
        let plan = chosen
            .into_iter()
            .map(|name| {
                let attachment = match points.iter().find(|(p, _)| *p == name) {
                    Some((_, point)) => Attachment::Point(point.clone()),
                    None => Attachment::Section(
                        sections
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, s)| s.clone())
                            .unwrap_or_default(),
                    ),
                };
                PlannedProgram { name, attachment }
            })
            .collect();
        Ok(Self {
            path: request.path.clone(),
            plan,
        })
    }

    /// The programs it loads, in order.
    pub fn program_names(&self) -> Vec<String> {
        self.plan.iter().map(|p| p.name.clone()).collect()
    }

    /// Each program and where it attaches, for the report.
    pub fn describe(&self) -> String {
        self.plan
            .iter()
            .map(|p| format!("{} at {}", p.name, p.attachment.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The object's file name, the row's name.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }

    fn origin(&self) -> String {
        self.path.display().to_string()
    }
}

/// `--attach` values, each `[PROGRAM=]POINT`, matched to the chosen programs.
fn attach_points(
    values: &[String],
    chosen: &[String],
) -> Result<Vec<(String, AttachPoint)>, Error> {
    values
        .iter()
        .map(|value| {
            // `PROGRAM=` comes before the point's first colon; a uprobe binary may hold `=`.
            let (program, point) = match value.split_once('=') {
                Some((program, point)) if !program.contains(':') => {
                    (Some(program.to_string()), point)
                }
                _ => (None, value.as_str()),
            };
            let point: AttachPoint = point
                .parse()
                .map_err(|e| Error::Input(format!("--attach {value}: {e}")))?;
            let program = match program {
                Some(program) if chosen.contains(&program) => program,
                Some(program) => {
                    return Err(Error::Input(format!(
                        "--attach {value}: `{program}` is not among the programs measured ({})",
                        chosen.join(", ")
                    )))
                }
                None if chosen.len() == 1 => chosen[0].clone(),
                None => {
                    return Err(Error::Input(format!(
                        "--attach {value}: {} programs are measured ({}); say which one: \
                         --attach PROGRAM={point}",
                        chosen.len(),
                        chosen.join(", ")
                    )))
                }
            };
            Ok((program, point))
        })
        .collect()
}

/// A load problem as one line (the verifier's last lines follow a rejection).
fn input_error(error: LoadError) -> Error {
    match &error {
        LoadError::VerifierRejected { log, .. } => {
            let tail = messages::last_lines(log, VERIFIER_LINES_SHOWN);
            Error::Input(format!(
                "{error}\nthe verifier's last {VERIFIER_LINES_SHOWN} lines:\n{tail}"
            ))
        }
        _ => Error::Input(error.to_string()),
    }
}

impl TracerBackend for UserObject {
    fn tracer(&self) -> Tracer {
        Tracer::Libbpf
    }

    fn version(&self) -> String {
        format!("{} ({LIBBPF_VERSION})", self.origin())
    }

    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared, Error> {
        Err(Error::unsupported(format!(
            "the user-object backend measures {}, not the catalog's `{}`",
            self.path.display(),
            scenario.name
        )))
    }

    fn prepare_row(&mut self, row: SuiteRow<'_>) -> Result<Prepared, Error> {
        match row {
            SuiteRow::Scenario(scenario) => self.prepare(scenario),
            SuiteRow::Object(_) => self.load(),
        }
    }
}

impl UserObject {
    /// Loads the object's chosen programs again, as [`Self::load`] first did.
    fn reload(&self) -> Load {
        let path = self.path.clone();
        let origin = self.origin();
        Box::new(move |chosen| {
            loader::open_file(&path)
                .and_then(|open| loader::load(open, &origin, chosen))
                .map_err(|error| BackendError::Load {
                    what: origin.clone(),
                    error: error.to_string(),
                })
        })
    }

    /// Loads the object's chosen programs and checks that each can attach, before anything is
    /// timed.
    fn load(&mut self) -> Result<Prepared, Error> {
        let origin = self.origin();
        let open = loader::open_file(Path::new(&self.path)).map_err(input_error)?;
        let chosen = program_choices(&self.plan, &None);
        let object = loader::load(open, &origin, &chosen).map_err(input_error)?;
        // A program that cannot attach is found here, before anything is timed.
        messages::take();
        for planned in &self.plan {
            let program = object
                .progs_mut()
                .find(|p| p.name() == planned.name.as_str())
                .ok_or_else(|| Error::operation(format!("`{}` vanished on load", planned.name)))?;
            match (planned.attachment.attach(&program), &planned.attachment) {
                (Ok(link), _) => drop(link),
                (Err(e), Attachment::Section(section)) if e.kind() == ErrorKind::Unsupported => {
                    return Err(Error::Input(format!(
                        "program `{}`: libbpf cannot attach SEC(\"{section}\") by itself; \
                         give --attach {}=POINT ({ATTACH_POINT_FORMS})",
                        planned.name, planned.name
                    )))
                }
                (Err(e), attachment) => {
                    return Err(Error::Input(format!(
                        "program `{}` cannot attach at {}: {}",
                        planned.name,
                        attachment.describe(),
                        messages::explained(&e)
                    )))
                }
            }
        }
        let attach = self
            .plan
            .iter()
            .map(|p| p.attachment.describe())
            .collect::<Vec<_>>()
            .join(" + ");
        Ok(Prepared {
            choice: AttachChoice {
                attach,
                substitution_reason: None,
            },
            programs: Box::new(
                LoadedPrograms::new(object, self.plan.clone(), None)
                    .reloading_each_round(None, self.reload()),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attach_values_name_their_program_when_several_are_measured() {
        let one = vec!["a".to_string()];
        let two = vec!["a".to_string(), "b".to_string()];
        let points = attach_points(&["kprobe:vfs_read".into()], &one).unwrap();
        assert_eq!(points[0].0, "a");
        let points = attach_points(&["b=uprobe:/x=y/lib.so:f".into()], &two).unwrap();
        assert_eq!(points[0].0, "b");
        let error = attach_points(&["kprobe:vfs_read".into()], &two).unwrap_err();
        assert!(error.to_string().contains("say which one"), "{error}");
        let error = attach_points(&["c=kprobe:vfs_read".into()], &two).unwrap_err();
        assert!(error.to_string().contains("`c` is not among"), "{error}");
        let error = attach_points(&["a=vfs_read".into()], &two).unwrap_err();
        assert!(
            error.to_string().contains("is not an attach point"),
            "{error}"
        );
    }
}
