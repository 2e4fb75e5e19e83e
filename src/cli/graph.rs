//! `archc graph FILE`: the architecture as a picture.

use super::{FilePath, Ui, EXIT_OK};
use crate::graph::{self, Format};
use crate::model::Model;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  archc graph shop.arch > shop.svg                     the last stage as SVG
  archc graph shop.arch --stage balanced --format mermaid
  archc graph shop.arch --format dot | dot -Tpng -o shop.png
  archc graph shop.arch --all-stages -o pictures      pictures/01-single.svg, 02-…

With --all-stages, -o names a directory (created if missing). A path that ends
in a picture's extension (`-o shop.svg`) or names an existing file is refused
(exit 2): archc would otherwise make a directory called shop.svg.")]
pub struct Args {
    /// The design file.
    file: FilePath,
    /// The stage to draw (default: the last).
    #[arg(long, conflicts_with = "all_stages")]
    stage: Option<String>,
    /// Draw every stage, one file per stage in the directory given by -o,
    /// numbered in stage order (`01-single.svg`, `02-split-db.svg`, …).
    #[arg(long, requires = "out")]
    all_stages: bool,
    /// Output format: SVG drawn by archc, Mermaid or Graphviz DOT text.
    #[arg(long, value_enum, default_value_t = FormatArg::Svg)]
    format: FormatArg,
    /// Write to this file (with --all-stages: this directory, never a
    /// name like `x.svg`) instead of stdout.
    #[arg(short = 'o', long = "out")]
    out: Option<FilePath>,
}

/// Why `-o PATH` cannot be `--all-stages`' directory: it names an existing
/// file, or ends in a picture's extension (a user who wrote `-o x.svg` wants
/// one file, and a directory named `x.svg` would only surprise them).
fn not_a_directory(path: &std::path::Path) -> Option<&'static str> {
    if path.exists() && !path.is_dir() {
        return Some("is an existing file");
    }
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    PICTURE_EXTENSIONS
        .contains(&ext.as_str())
        .then_some("looks like a file name")
}

/// What `-o` ends in when it names one picture: the formats archc writes and
/// those Graphviz makes of them.
const PICTURE_EXTENSIONS: &[&str] = &[
    "svg", "mmd", "mermaid", "dot", "gv", "png", "jpg", "jpeg", "pdf", "md",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Svg,
    Mermaid,
    Dot,
}

pub fn run(ui: &Ui, a: Args) -> u8 {
    let loaded = match super::load_valid(ui, &a.file) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let design = &loaded.compiled.design;
    let format = match a.format {
        FormatArg::Svg => Format::Svg,
        FormatArg::Mermaid => Format::Mermaid,
        FormatArg::Dot => Format::Dot,
    };
    if a.all_stages {
        let dir = a.out.expect("clap requires -o with --all-stages");
        if let Some(why) = not_a_directory(&dir) {
            let stem = dir.with_extension("");
            return ui.fail(format_args!(
                "--all-stages writes one file per stage into a directory, and {} {why}; \
give a directory instead, e.g. `-o {}` (files {}/{}, …)",
                dir.display(),
                stem.display(),
                stem.display(),
                graph::file_name(&design.stages[0].stage, 0, design.stages.len(), format)
            ));
        }
        if let Err(e) = std::fs::create_dir_all(&dir) {
            return ui.fail(format_args!("cannot create {}: {e}", dir.display()));
        }
        let n = design.stages.len();
        for (i, m) in design.stages.iter().enumerate() {
            let path = dir.join(graph::file_name(&m.stage, i, n, format));
            if let Err(e) = std::fs::write(&path, graph::render(m, format)) {
                return ui.fail(format_args!("cannot write {}: {e}", path.display()));
            }
            eprintln!("wrote {}", path.display());
        }
        return EXIT_OK;
    }
    let m: &Model = match &a.stage {
        Some(s) => match super::find_stage(ui, design, s) {
            Ok(m) => m,
            Err(code) => return code,
        },
        None => design.last(),
    };
    let text = graph::render(m, format);
    match a.out {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, text) {
                return ui.fail(format_args!("cannot write {}: {e}", path.display()));
            }
        }
        None => print!("{text}"),
    }
    EXIT_OK
}
