//! `ssm-compile explain CODE`: the long explanation of a diagnostic code or lint.

use std::io::Write;

use ssm_compile::diagnostic::rules;

use super::Exit;

/// Prints the explanation to `out`; an unknown code is an error with a "did you mean".
pub fn explain(code: &str, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    if let Some(text) = rules::explain(code.trim()) {
        let _ = out.write_all(wrap(&text, WIDTH).as_bytes());
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

/// The width `explain` wraps its paragraphs to, for a terminal.
const WIDTH: usize = 96;

/// Wraps each line longer than `width` at spaces; a word longer than the width stays whole.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        let mut used = 0;
        for (i, word) in body.split(' ').enumerate() {
            if i > 0 && used + 1 + word.len() > width {
                out.push('\n');
                used = 0;
            } else if i > 0 {
                out.push(' ');
                used += 1;
            }
            out.push_str(word);
            used += word.len();
        }
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_long_lines_at_spaces_only() {
        assert_eq!(super::wrap("aa bb cc\n\ndd", 5), "aa bb\ncc\n\ndd");
        assert_eq!(super::wrap("abcdefgh ij\n", 4), "abcdefgh\nij\n");
    }
}
