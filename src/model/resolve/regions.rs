//! The regions a design names: each must be an AWS region (E0214, with a
//! did-you-mean from [`crate::model::regions`]), and a `datacenters` list
//! names each once (E0216). Both would otherwise pass `check` and fail only
//! at `terraform apply`.

use super::Resolver;
use crate::diag::{nearest, Diagnostic};
use crate::model::regions;
use crate::span::Spanned;

impl Resolver {
    /// E0214 for a `region` or a data center that is not an AWS region.
    pub(super) fn check_region(&mut self, r: &Spanned<String>) {
        if regions::is_aws_region(&r.node) {
            return;
        }
        let help = match nearest(&r.node, regions::names()) {
            Some(n) => format!("did you mean `{n}`?"),
            None => "AWS regions are written like `us-east-1` or `eu-west-1`; `archc explain E0214` lists them".into(),
        };
        self.diags.push(
            Diagnostic::new(
                "E0214",
                r.span,
                format!("`{}` is not an AWS region", r.node),
            )
            .primary("not an AWS region")
            .help(help),
        );
    }

    /// E0214 for each unknown region of a `datacenters` list, E0216 for each
    /// region listed again (pointing at the repeat and at the first).
    pub(super) fn check_datacenters(&mut self, list: &[Spanned<String>]) {
        for (i, r) in list.iter().enumerate() {
            if let Some(first) = list[..i].iter().find(|f| f.node == r.node) {
                self.diags.push(
                    Diagnostic::new(
                        "E0216",
                        r.span,
                        format!("data center `{}` is listed twice", r.node),
                    )
                    .primary("listed again")
                    .label(first.span, "first listed here")
                    .help("list each region once: one region is one data center"),
                );
            } else {
                self.check_region(r);
            }
        }
    }
}
