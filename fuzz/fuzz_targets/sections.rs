//! Differential: the section-by-section validator (the fast path for large files) and the
//! whole-file parse-and-validate path must agree on every input the fast path accepts to judge:
//! the same settings, the same grants in the same order, the same diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssm_compile::{diagnostic, parse, validate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = parse::decode(data) else {
        return;
    };
    let mut fast_grants = Vec::new();
    let Some((fast_settings, mut fast_diags)) =
        validate::validate_sections(text, &mut |g| fast_grants.push(g))
    else {
        return; // the fast path declined: only the whole-file path judges this input
    };
    let (config, mut whole_diags) = match parse::parse(text) {
        Ok(root) => validate::validate(&root),
        Err(diags) => (None, diags),
    };
    fast_grants.sort_by(|a, b| a.name.cmp(&b.name));
    diagnostic::sort(&mut fast_diags);
    diagnostic::sort(&mut whole_diags);
    let render = |d: &[ssm_compile::Diagnostic]| -> Vec<String> {
        d.iter()
            .map(|d| format!("{:?} {:?} {}", d.severity, d.span, d.message))
            .collect()
    };
    assert_eq!(
        render(&fast_diags),
        render(&whole_diags),
        "diagnostics differ"
    );
    match config {
        Some(config) => {
            assert_eq!(
                fast_settings.as_ref(),
                Some(&config.settings),
                "settings differ"
            );
            assert_eq!(fast_grants, config.grants, "grants differ");
        }
        None => assert!(fast_settings.is_none(), "only the fast path accepted it"),
    }
});
