//! `archc build FILE`: render every requested target for one stage or all, then
//! write (or with `--check`, compare) the whole tree.

use super::templates::report_emit_error;
use super::{load, FilePath, MessageFormat, Ui, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::emit::{
    self,
    jobs::{Event, Job},
    Target,
};
use crate::model::{Design, Model};
use crate::output::{self, Owner, Planned, Scope, TreeWriter};
use std::ops::ControlFlow;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file.
    file: FilePath,
    #[command(flatten)]
    select: Selection,
    /// Write nothing; exit 1 naming each file that differs from a fresh build.
    #[arg(long)]
    check: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    message_format: MessageFormat,
    /// Run the nginx and haproxy configs on one machine: a JSON file mapping
    /// web instances and load balancers to local addresses, e.g.
    /// {"upstream_addrs": {"web-1": "127.0.0.1:9001"}, "lb_listen": {"lb": "127.0.0.1:8080"},
    /// "haproxy_stats_port": 18404}. Only those addresses change, and only in
    /// the nginx and haproxy targets; see docs/traffic.md.
    #[arg(long, value_name = "FILE.json")]
    local_ports: Option<FilePath>,
    #[command(flatten)]
    templates: super::templates::TemplateArgs,
}

/// What to build and where: shared by `build` and `watch`.
#[derive(clap::Args, Debug)]
pub(super) struct Selection {
    /// Targets to build; repeat or use `all` (default: all).
    #[arg(long = "target", short = 't', value_enum)]
    pub targets: Vec<TargetArg>,
    /// The stage to build (default: the last).
    #[arg(long, conflicts_with = "all_stages")]
    pub stage: Option<String>,
    /// Build every stage into OUT/<stage>/<target>/.
    #[arg(long)]
    pub all_stages: bool,
    /// Output directory.
    #[arg(short = 'o', long = "out", default_value = "out")]
    pub out: FilePath,
}

impl Selection {
    /// The stages to build (see `select_stages`).
    pub fn stages<'d>(&self, ui: &Ui, design: &'d Design) -> Result<Vec<&'d Model>, u8> {
        super::select_stages(ui, design, self.stage.as_deref(), self.all_stages)
    }

    /// The directories of OUT this build answers for (see `output::Scope`):
    /// its targets' directories, of every stage with `--all-stages`.
    pub fn scope(&self) -> Scope {
        Scope {
            all_stages: self.all_stages,
            targets: targets(&self.targets).into_iter().collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum TargetArg {
    Terraform,
    Compose,
    Nginx,
    Haproxy,
    K8s,
    All,
}

pub(super) fn targets(args: &[TargetArg]) -> Vec<Target> {
    if args.is_empty() || args.contains(&TargetArg::All) {
        return Target::ALL.to_vec();
    }
    let mut out: Vec<Target> = args
        .iter()
        .map(|t| match t {
            TargetArg::Terraform => Target::Terraform,
            TargetArg::Compose => Target::Compose,
            TargetArg::Nginx => Target::Nginx,
            TargetArg::Haproxy => Target::Haproxy,
            TargetArg::K8s => Target::K8s,
            TargetArg::All => unreachable!("handled above"),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Why a build produced nothing: an emitter failed (a bug in archc) or the
/// output could not be written.
pub enum RenderError {
    Emit(emit::EmitError),
    Write(std::io::Error),
}

/// Renders the requested targets for the selected stages on every core and
/// hands each file to `sink` as soon as it is rendered, with its job's index
/// (stage-major, in `targets` order) and its path in the output tree; jobs
/// interleave, each job's files come in the emitter's order. `progress` is called once per stage,
/// in stage order, with the number of files it produced. The local addresses in
/// `local` apply to the standalone nginx and haproxy targets only (the configs
/// compose mounts keep their service names).
pub fn render(
    stages: &[&Model],
    targets: &[Target],
    per_stage_dirs: bool,
    local: &emit::Options,
    mut progress: impl FnMut(usize, &Model, usize),
    mut sink: impl FnMut(usize, Planned) -> std::io::Result<()>,
) -> Result<(), RenderError> {
    // Every target renders with the same templates; only the balancer
    // targets take the local addresses.
    let default = emit::Options {
        templates: local.templates.clone(),
        ..Default::default()
    };
    let default = &default;
    let jobs: Vec<Job> = stages
        .iter()
        .flat_map(|&model| {
            targets.iter().map(move |&target| Job {
                target,
                model,
                opts: match target {
                    Target::Nginx | Target::Haproxy => local,
                    _ => default,
                },
            })
        })
        .collect();
    // Jobs left and files produced per stage, to report stages in order.
    let mut left = vec![targets.len(); stages.len()];
    let mut files = vec![0; stages.len()];
    let mut reported = 0;
    let mut failed = None;
    emit::jobs::run(&jobs, |i, event| {
        let job = &jobs[i];
        let stage = i / targets.len();
        match event {
            Event::File(f) => {
                let owner = Owner {
                    stage: per_stage_dirs.then(|| job.model.stage.clone()),
                    target: job.target,
                };
                let planned = Planned {
                    path: format!("{owner}/{}", f.path),
                    owner,
                    contents: f.contents,
                };
                files[stage] += 1;
                if let Err(e) = sink(i, planned) {
                    failed = Some(RenderError::Write(e));
                    return ControlFlow::Break(());
                }
            }
            Event::Finished(Err(e)) => {
                failed = Some(RenderError::Emit(e));
                return ControlFlow::Break(());
            }
            Event::Finished(Ok(())) => {
                left[stage] -= 1;
                while reported < stages.len() && left[reported] == 0 {
                    progress(reported, stages[reported], files[reported]);
                    reported += 1;
                }
            }
        }
        ControlFlow::Continue(())
    });
    failed.map_or(Ok(()), Err)
}

/// Renders the requested targets for the selected stages, in memory, in a
/// stable order (stage, then target, then the emitter's own file order).
pub fn plan(
    stages: &[&Model],
    targets: &[Target],
    per_stage_dirs: bool,
    local: &emit::Options,
) -> emit::Result<Vec<Planned>> {
    // One slot per job, filled in completion order, read in job order.
    let mut slots: Vec<Vec<Planned>> = Vec::new();
    let result = render(
        stages,
        targets,
        per_stage_dirs,
        local,
        |_, _, _| {},
        |job, p| {
            if slots.len() <= job {
                slots.resize_with(job + 1, Vec::new);
            }
            slots[job].push(p);
            Ok(())
        },
    );
    match result {
        Ok(()) => Ok(slots.into_iter().flatten().collect()),
        Err(RenderError::Emit(e)) => Err(e),
        Err(RenderError::Write(_)) => unreachable!("collecting in memory cannot fail"),
    }
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let targets = targets(&a.select.targets);
    emit::parse_templates_in_background(&targets);
    let design = match load_design(ui, &a) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let design = &design;
    let stages = match a.select.stages(ui, design) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut local = match &a.local_ports {
        None => emit::Options::default(),
        Some(path) => match read_local_ports(path, &stages) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("error: --local-ports {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    local.templates = match a.templates.load(ui, &a.file, a.message_format) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if a.check {
        check(ui, &a, &stages, &targets, &local)
    } else {
        write(ui, &a, &stages, &targets, &local)
    }
}

/// The design's model, its diagnostics printed; `Err` with the exit code
/// when it cannot be read or has errors.
fn load_design(ui: &Ui, a: &Args) -> Result<Design, u8> {
    let loaded = load(ui, &a.file)?;
    if !loaded.compiled.diagnostics.is_empty() {
        ui.print_diagnostics(&loaded.file, &loaded.compiled.diagnostics, a.message_format);
    }
    if loaded.compiled.has_errors() {
        eprintln!(
            "{}: not built, the design has errors; nothing was written",
            loaded.file.name
        );
        return Err(EXIT_FAILED);
    }
    // Emitters read only the model: the source text and its syntax tree
    // (a third of the front end's memory on a large design) go before
    // rendering starts.
    let design = loaded.compiled.design;
    drop((
        loaded.file,
        loaded.compiled.ast,
        loaded.compiled.diagnostics,
    ));
    Ok(design)
}

/// `--check`: renders in memory and names each file of OUT that a build
/// would change, create or remove; writes nothing.
fn check(ui: &Ui, a: &Args, stages: &[&Model], targets: &[Target], local: &emit::Options) -> u8 {
    let out = a.select.out.display();
    let planned = match plan(stages, targets, a.select.all_stages, local) {
        Ok(p) => p,
        Err(e) => return report_emit_error(ui, &e, a.message_format),
    };
    match output::compare_tree(&a.select.out, &a.select.scope(), &planned) {
        Ok(drift) if drift.is_clean() => {
            eprintln!("{out}: {} files up to date", planned.len());
            EXIT_OK
        }
        Ok(drift) => {
            for p in &drift.changed {
                println!("would change: {out}/{p}");
            }
            for p in &drift.missing {
                println!("would create: {out}/{p}");
            }
            for p in &drift.stale {
                println!("would remove: {out}/{p}");
            }
            eprintln!(
                "{out}: out of date ({} changed, {} missing, {} stale); run `archc build` without --check",
                drift.changed.len(),
                drift.missing.len(),
                drift.stale.len()
            );
            EXIT_FAILED
        }
        Err(e) => ui.fail(format_args!("cannot read {out}: {e}")),
    }
}

/// Renders and writes the tree, reporting each stage as it completes and
/// what was written at the end.
fn write(ui: &Ui, a: &Args, stages: &[&Model], targets: &[Target], local: &emit::Options) -> u8 {
    let out = a.select.out.display();
    // Each file is staged on disk as soon as it is rendered and its text
    // dropped, so memory holds the targets being rendered, not their output.
    // Ctrl-C or SIGTERM from here on stops the build between two files and
    // removes its temporary files (the flag is read by `TreeWriter`).
    output::interrupt::catch();
    let total = stages.len();
    let mut tree = TreeWriter::new(&a.select.out, a.select.scope());
    if let Some(u) = &local.templates {
        // Which files were not archc's own text: the manifest says so.
        tree.note(format!(
            "templates overridden from {}: {}",
            u.dir.display(),
            u.paths().join(", ")
        ));
    }
    let rendered = render(
        stages,
        targets,
        a.select.all_stages,
        local,
        |i, m, n| {
            if total > 1 {
                eprintln!("[{}/{total}] {}: {n} files", i + 1, m.stage);
            }
        },
        |_, f| tree.add(&f),
    );
    let written = match rendered {
        Ok(()) => tree.finish(),
        Err(RenderError::Emit(e)) => return report_emit_error(ui, &e, a.message_format),
        Err(RenderError::Write(e)) => {
            drop(tree); // removes the temporary files before reporting
            Err(e)
        }
    };
    match written {
        Ok(s) => {
            let leftovers = match s.leftovers.len() {
                0 => String::new(),
                1 => ", 1 temporary file of an interrupted build removed".to_string(),
                n => format!(", {n} temporary files of an interrupted build removed"),
            };
            eprintln!(
                "{out}: {} written, {} unchanged, {} removed{leftovers}",
                s.written.len(),
                s.unchanged.len(),
                s.removed.len()
            );
            EXIT_OK
        }
        Err(e)
            if e.kind() == std::io::ErrorKind::Interrupted
                && output::interrupt::received().is_some() =>
        {
            let signal = output::interrupt::received().unwrap_or(libc::SIGINT);
            eprintln!("{out}: interrupted; nothing was changed");
            // As a shell reports a process the signal killed: 130, 143.
            u8::try_from(128 + signal).unwrap_or(EXIT_FAILED)
        }
        Err(e) => ui.fail(format_args!(
            "cannot write {out}: {e}; files already in place are complete, the rest are as before"
        )),
    }
}

/// Reads and checks a `--local-ports` file against the stages being built.
fn read_local_ports(path: &FilePath, stages: &[&Model]) -> Result<emit::Options, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let opts: emit::Options = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let problems = emit::nginx::local_address_problems(&opts, stages);
    if problems.is_empty() {
        Ok(opts)
    } else {
        Err(problems.join("; "))
    }
}
