//! The whole pipeline: parse, resolve, check and, when the design has no
//! errors, emit every target for every stage. Nothing may panic or fail.
#![no_main]

use archc::emit::{self, Target};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, _) = archc::source::decode(data.to_vec());
    let c = archc::compile("fuzz.arch", &text);
    if c.has_errors() {
        return;
    }
    for m in &c.design.stages {
        for t in Target::ALL {
            emit::emit(t, m, &emit::Options::default()).expect("a checked design always renders");
        }
    }
});
