//! The formatter: format(format(x)) == format(x), and formatting never changes
//! what the design means (the model, spans aside).
#![no_main]

use libfuzzer_sys::fuzz_target;

fn meaning(c: &archc::Compiled) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                // Positions: formatting may move a statement to another line
                // (a leading blank line dropped, a `;`-joined line split).
                if m.remove("span").is_some() {
                    m.remove("line");
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(&c.design).unwrap();
    strip(&mut v);
    v
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let c = archc::compile("fuzz.arch", text);
    if c.diagnostics.iter().any(|d| d.is_error() && d.code < "E0100") {
        return;
    }
    let once = archc::fmt::format(text, &c.ast);
    let c1 = archc::compile("fuzz.arch", &once);
    assert_eq!(archc::fmt::format(&once, &c1.ast), once, "not idempotent");
    assert_eq!(meaning(&c), meaning(&c1), "formatting changed the model");
});
