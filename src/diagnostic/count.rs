//! Counted nouns in messages: `1 error`, `3 errors`.

use std::fmt;

/// `count` and `noun`, with an `s` unless the count is one.
pub struct Count<'a>(pub usize, pub &'a str);

impl fmt::Display for Count<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Count(n, noun) = *self;
        write!(f, "{n} {noun}{}", if n == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::Count;

    #[test]
    fn plurals() {
        assert_eq!(Count(1, "error").to_string(), "1 error");
        assert_eq!(Count(0, "error").to_string(), "0 errors");
        assert_eq!(Count(3, "grant").to_string(), "3 grants");
    }
}
