//! Parse, validate and expand arbitrary bytes: the path every `access.toml` takes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The binary decodes first; non-UTF-8 bytes must give a located diagnostic, not a panic.
    let text = match ssm_compile::parse::decode(data) {
        Ok(text) => text,
        Err(_) => return,
    };
    match ssm_compile::compile(text) {
        Ok(compiled) => {
            // Every planned file must be a policy JSON document (or the manifest).
            for name in compiled.plan.files.keys() {
                let bytes = compiled.plan.bytes(name).expect("a planned file has bytes");
                if ssm_compile::deploy::is_template(name) {
                    let _: serde_json::Value =
                        serde_json::from_slice(&bytes).expect("a template is valid JSON");
                } else {
                    let _: ssm_compile::policy::PolicyDocument =
                        serde_json::from_slice(&bytes).expect("planned policy is valid JSON");
                }
            }
        }
        Err(diagnostics) => {
            assert!(
                !diagnostics.is_empty(),
                "an error result carries a diagnostic"
            );
            // Rendering must not panic either, on any span the core produced.
            let source = ssm_compile::Source::new("access.toml".to_owned(), text);
            let _ = ssm_compile::diagnostic::render(&diagnostics, &source);
        }
    }
});
