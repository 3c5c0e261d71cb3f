//! "Did you mean": the closest known word, when it is close enough to be a likely typo.

/// The closest of `candidates` to `word` (case ignored), within a third of its length.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    let len = word.chars().count();
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the quadratic comparison
        // where that alone is too far (a 1 MiB value costs nothing).
        .filter(|c| len.abs_diff(c.chars().count()) <= (c.len() / 3).max(1))
        .map(|c| (strsim::damerau_levenshtein(&word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `word` with what is not ASCII escaped as `\u{..}`, so two look-alike words print differently.
pub(crate) fn escape_non_ascii(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                c.escape_unicode().to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = ["role", "kms_key", "instances", "tags"];
        assert_eq!(suggest("kms-key", keys), Some("kms_key"));
        assert_eq!(suggest("instance", keys), Some("instances"));
        assert_eq!(suggest("zzz", keys), None);
        assert_eq!(suggest("end_user", ["end-user", "admin"]), Some("end-user"));
    }
}
