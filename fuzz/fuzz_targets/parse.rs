//! Any bytes through decode, parse, resolve, check and both renderers: nothing
//! may panic, every span must lie inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, _) = archc::source::decode(data.to_vec());
    let c = archc::compile("fuzz.arch", &text);
    for d in &c.diagnostics {
        assert!(d.span.end as usize <= text.len());
        assert!(text.is_char_boundary(d.span.start as usize));
        assert!(text.is_char_boundary(d.span.end as usize));
    }
    let file = archc::diag::SourceFile::new("fuzz.arch", text.as_str());
    let _ = archc::diag::render_json(&file, &c.diagnostics);
    if !c.diagnostics.iter().any(|d| d.is_error() && d.code < "E0100") {
        let once = archc::fmt::format(&text, &c.ast);
        let again = archc::compile("fuzz.arch", &once);
        assert_eq!(archc::fmt::format(&once, &again.ast), once);
    }
});
