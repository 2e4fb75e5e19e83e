//! `kustomization.yaml`: the index of every file of the stage, in the order
//! they were written (the order `kubectl apply -k` follows).

use super::emitter::one_newline;
use super::emitter::K8s;
use crate::emit::{OutFile, Result};

impl K8s<'_> {
    /// Written last: it names every other file.
    pub(super) fn kustomization_file(&self, resources: &[String]) -> Result<OutFile> {
        let mut ctx = self.base_ctx();
        ctx.insert("resources", resources);
        let kustomization = one_newline(self.tpl.render("kustomization", &ctx)?);
        // Made of no single component: stage-wide scaffolding.
        Ok(OutFile::new("kustomization.yaml", kustomization, &[]))
    }
}
