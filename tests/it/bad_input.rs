//! Generated bad input (issue 5, part 3): byte flips and truncations of valid files, values of
//! the wrong type, huge values. Never a panic; every error is located; through the binary, exit
//! code 2 and an output directory left exactly as it was.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use ssm_compile::diagnostic::render;
use ssm_compile::{Source, compile, parse};

#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Truncate(Index),
    /// Replace the value of the n-th `key = value` line.
    Replace(Index, String),
}

fn replacement() -> impl Strategy<Value = String> {
    prop_oneof![
        // Wrong types.
        select_str(&[
            "42",
            "-0",
            "3.5",
            "1e400",
            "inf",
            "nan",
            "true",
            "1979-05-27T07:32:00Z",
            "07:32:00",
            "{ a = 1 }",
            "[1, 2]",
            "[[\"a\"]]",
            "[]",
            "{}",
            "\"\"",
            "\"x\"",
            "'literal'",
            "\"\"\"multi\nline\"\"\"",
            "99999999999999999999999",
            "[\"user:alice\", 7]",
        ]),
        // Huge values.
        (1usize..20_000).prop_map(|n| format!("\"{}\"", "a".repeat(n))),
        (1usize..400).prop_map(|n| format!(
            "[{}]",
            (0..n)
                .map(|i| format!("\"i-{i:017x}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (1usize..300).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
    ]
}

fn select_str(items: &[&str]) -> impl Strategy<Value = String> + use<> {
    proptest::sample::select(items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), replacement()).prop_map(|(i, r)| Mutation::Replace(i, r)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        match m {
            Mutation::Flip(i, b) if !bytes.is_empty() => {
                let at = i.index(bytes.len());
                bytes[at] ^= b | 1; // always a different byte
            }
            Mutation::Truncate(i) if !bytes.is_empty() => bytes.truncate(i.index(bytes.len())),
            Mutation::Replace(i, value) => {
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let lines: Vec<&str> = s.lines().collect();
                let assigns: Vec<usize> = (0..lines.len())
                    .filter(|&n| lines[n].contains(" = "))
                    .collect();
                if assigns.is_empty() {
                    continue;
                }
                let n = assigns[i.index(assigns.len())];
                let key = lines[n].split(" = ").next().unwrap();
                let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                out[n] = format!("{key} = {value}");
                bytes = (out.join("\n") + "\n").into_bytes();
            }
            _ => {}
        }
    }
    bytes
}

/// What the binary does with a file: decode, then compile. Returns the rendered errors, or
/// `None` when the mutated file is still valid.
fn errors_of(bytes: &[u8]) -> Result<Option<String>, TestCaseError> {
    let (text, diagnostics) = match parse::decode(bytes) {
        Err(d) => (String::from_utf8_lossy(bytes).into_owned(), vec![d]),
        Ok(text) => match compile(text) {
            Ok(_) => return Ok(None),
            Err(diagnostics) => (text.to_owned(), diagnostics),
        },
    };
    prop_assert!(diagnostics.iter().any(|d| d.is_error()));
    for d in diagnostics.iter().filter(|d| d.is_error()) {
        let span = d.span.clone();
        prop_assert!(span.is_some(), "error without a location: {}", d.message);
        let span = span.unwrap();
        prop_assert!(
            span.start <= span.end && span.end <= text.len() + 4,
            "span {span:?} outside the text"
        );
    }
    let styled = render(&diagnostics, &Source::new("access.toml", text));
    let rendered = anstream::adapter::strip_str(&styled).to_string();
    prop_assert!(rendered.contains(" --> access.toml:"), "{rendered}");
    Ok(Some(rendered))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_configurations_never_panic_and_errors_are_located(
        spec in support::spec(4, false),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let bytes = apply(&spec.render(), &mutations);
        errors_of(&bytes)?;
    }
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

proptest! {
    // Each case runs the binary twice: fewer cases.
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_binary_exits_2_and_leaves_the_output_alone(
        spec in support::spec(3, false),
        mutations in proptest::collection::vec(mutation(), 1..3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("access.toml");
        let out = dir.path().join("out");
        let text = spec.render();
        fs::write(&config, &text).unwrap();
        let bin = || {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ssm-compile"));
            c.args(["build", "--color", "never", "-c"]).arg(&config).arg("-o").arg(&out);
            c
        };
        prop_assert!(bin().status().unwrap().success());
        fs::write(out.join("notes.txt"), b"not ours\n").unwrap();
        let before = snapshot(&out);

        let bytes = apply(&text, &mutations);
        fs::write(&config, &bytes).unwrap();
        let run = bin().output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        match errors_of(&bytes)? {
            Some(_) => {
                prop_assert_eq!(run.status.code(), Some(2), "{}", stderr);
                prop_assert!(stderr.contains("error[E") && stderr.contains(" --> "), "{}", stderr);
                prop_assert!(stderr.contains("access.toml:"), "{}", stderr);
                prop_assert_eq!(snapshot(&out), before);
            }
            // Still valid (a flip inside a comment, say): a normal build.
            None => prop_assert_eq!(run.status.code(), Some(0), "{}", stderr),
        }
    }
}
