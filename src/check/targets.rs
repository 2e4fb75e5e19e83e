//! What a target cannot do as written and does otherwise: W0310, storage
//! below what RDS allocates. The generated file says it too, next to the
//! value; this says it before anything is built.

use crate::diag::Diagnostic;
use crate::model::runtime::RDS_MIN_STORAGE_GB;
use crate::model::Model;

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    // A colocated database runs on the web host, not on RDS.
    for d in m.dbs.iter().filter(|d| !d.colocated) {
        let Some(span) = d.spans.get("storage").copied() else {
            continue;
        };
        if d.storage_gb >= RDS_MIN_STORAGE_GB {
            continue;
        }
        out.push(
            Diagnostic::new(
                "W0310",
                span,
                format!(
                    "db `{}` asks for {} GB of storage, but RDS allocates at least {RDS_MIN_STORAGE_GB} GB: on AWS it gets {RDS_MIN_STORAGE_GB} GB",
                    d.name, d.storage_gb
                ),
            )
            .primary(format!("below the AWS minimum of {RDS_MIN_STORAGE_GB} GB"))
            .help(format!(
                "write `storage {RDS_MIN_STORAGE_GB}gb` (or more) so every target gets the same size; Compose and Kubernetes volumes keep the smaller size"
            )),
        );
    }
}
