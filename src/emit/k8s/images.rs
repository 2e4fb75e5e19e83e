//! Images for the components archc runs itself (the web and worker images
//! come from the design): the runtime plan's, shared with every target.

pub(super) use crate::model::runtime::images::*;
