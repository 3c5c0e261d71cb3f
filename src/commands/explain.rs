//! `ssm-compile explain CODE`: the long explanation of a diagnostic code or lint.

use std::io::Write;

use ssm_compile::diagnostic::rules;

use super::Exit;

/// Prints the explanation to `out`; an unknown code is an error with a "did you mean".
pub fn explain(code: &str, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    if let Some(text) = rules::explain(code.trim()) {
        let _ = out.write_all(text.as_bytes());
        return Exit::Success;
    }
    let mut text = format!("error: no diagnostic or lint has the code `{code}`\n");
    if let Some(near) = rules::suggest(code.trim()) {
        text.push_str(&format!("help: did you mean `{near}`?\n"));
    }
    text.push_str("help: docs/DIAGNOSTICS.md lists every code\n");
    let _ = err.write_all(text.as_bytes());
    Exit::Error
}
