//! Text for people: made safe for a terminal, bounded in length, and the
//! "did you mean" of every error. A foundation used by renderers,
//! diagnostics, templating and commands alike (it imports nothing of the crate).

/// Text from programs and playbooks made safe to print: control characters
/// other than newline and tab become caret notation (`ESC` -> `^[`, `CR` ->
/// `^M`), so output cannot clear the screen, rewrite a line or retitle the
/// terminal; C1 controls become `?`, and the Unicode direction overrides
/// that reorder what a reader sees ("Trojan Source") become `<U+202E>`.
pub fn safe_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(c as u8 + 64));
            }
            '\u{7f}' => out.push_str("^?"),
            c if ('\u{80}'..='\u{9f}').contains(&c) => out.push('?'),
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// [`safe_text`] on one line: newlines and tabs become spaces.
pub fn one_line(text: &str) -> String {
    safe_text(&text.replace(['\r', '\n', '\t'], " "))
}

/// At most `max` characters of `text`, with a note of how much was left out.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((cut, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} more bytes)",
            &text[..cut],
            text.len() - cut
        )),
    }
}

/// The candidate closest to `word`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d < 3 && *d < c.len().max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_controls_and_overrides() {
        assert_eq!(safe_text("a\r\x1b[2Kb\n"), "a^M^[[2Kb\n");
        assert_eq!(safe_text("x\u{202e}y"), "x<U+202E>y");
        assert_eq!(one_line("a\nb"), "a b");
    }

    #[test]
    fn clips_long_text() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc… (3 more bytes)");
    }
}
