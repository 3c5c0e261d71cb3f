//! Lists in messages: `"a", "b", "c"` and `a, b, c`.

/// Each option in double quotes, comma-separated: how a message shows the values of a key.
pub(crate) fn quoted(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted() {
        assert_eq!(super::quoted(&["aws", "aws-cn"]), "\"aws\", \"aws-cn\"");
    }
}
