//! The structure family: secrets that are not on their key's line.
//!
//! Line rules see one line at a time; these formats put the value on the
//! lines after the key that names it:
//!
//! - YAML: `password:` with the value nested below (a mapping, a list, a
//!   block scalar `|`/`>-`, or a plain scalar on the next line), and every
//!   value under `data:`/`stringData:` of a Kubernetes `kind: Secret`;
//! - INI (Python configparser, systemd, Samba): a value continued on the
//!   following, more indented lines;
//! - XML: `<Password>` or `<AdministratorPassword>` with `<Value>…</Value>`
//!   on a following line (Windows `unattend.xml`), up to the closing tag.
//!
//! The state is a few bytes per stream, so memory stays bounded. A block
//! opens only on a line that is a key and nothing else (or a key whose
//! value continues), never on a log line, and ends at the first line that
//! is not indented deeper than its key.

use regex::bytes::Regex;

/// What the lines after a secret key are.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Block {
    /// Lines indented deeper than `indent` hold the secret (YAML, INI).
    Indented { indent: usize, yaml: bool },
    /// `<Value>` contents and text lines until `</tag`.
    Xml { tag: Vec<u8> },
}

/// Per-stream state of the structure family.
#[derive(Default)]
pub struct Structure {
    block: Option<Block>,
    /// Inside a Kubernetes `kind: Secret` document.
    k8s_secret: bool,
}

/// The compiled patterns of the family.
pub struct Patterns {
    /// `key:` / `key: |` / `key = ` at the start of a line, nothing after
    /// (or a block scalar indicator, or an INI value that may continue).
    key_line: Regex,
    /// An opening XML tag alone on its line.
    xml_open: Regex,
    /// `<Value>secret</Value>` (any case).
    xml_value: Regex,
}

impl Patterns {
    pub fn new() -> Result<Patterns, String> {
        let re = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        Ok(Patterns {
            key_line: re(
                r#"^(?P<indent>[ \t]*)(?:-[ \t]+)?["']?(?P<key>[A-Za-z0-9_.\-]+)["']?[ \t]*(?P<sep>:|=)[ \t]*(?P<rest>[|>][-+0-9]*)?[ \t]*(?:#.*)?\r?\n?$"#,
            )?,
            xml_open: re(r"^\s*<(?P<tag>[A-Za-z_][\w:.-]*)(?:\s[^>]*)?>\s*\r?\n?$")?,
            xml_value: re(r"(?i)(<value>)(?P<v>[^<]+)(</value>)")?,
        })
    }
}

/// The indentation of a line (tabs count as one).
fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count()
}

fn is_blank_or_comment(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.is_empty() || t.starts_with(b"#") || t.starts_with(b";")
}

/// The part of a continuation line that is the value: after `- `, after
/// `key: ` / `key = `, else the whole text; a trailing ` # comment` stays.
fn value_range(line: &[u8]) -> Option<(usize, usize)> {
    let start = indent(line);
    let mut end = line.len();
    while end > start && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if let Some(i) = line[start..end].windows(2).position(|w| w == b" #") {
        end = start + i;
        while end > start && line[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
    }
    let mut from = start;
    if line[from..end].starts_with(b"- ") {
        from += 2;
    } else if let Some(i) = line[from..end]
        .windows(2)
        .position(|w| w == b": " || w == b" =" || w == b"= ")
    {
        // `key: value` (a child mapping): the value after the separator.
        let sep_end = from + i + 2;
        let after = sep_end
            + line[sep_end..end]
                .iter()
                .take_while(|b| b.is_ascii_whitespace() || **b == b'=')
                .count();
        from = after;
    }
    while from < end && line[from].is_ascii_whitespace() {
        from += 1;
    }
    // Quotes around a value stay; what is inside goes.
    if end > from + 1 && matches!(line[from], b'"' | b'\'') && line[end - 1] == line[from] {
        from += 1;
        end -= 1;
    }
    (end > from).then_some((from, end))
}

impl Structure {
    /// When this line continues a secret opened above, the byte range of
    /// the secret in it. Ends the block when the line is not part of it.
    pub fn continuation(&mut self, p: &Patterns, line: &[u8]) -> Option<(usize, usize)> {
        if line.trim_ascii() == b"---" {
            self.k8s_secret = false;
            self.block = None;
            return None;
        }
        match self.block.clone()? {
            Block::Indented { indent: key, yaml } => {
                if is_blank_or_comment(line) {
                    return None;
                }
                let own = indent(line);
                // YAML lists may sit at their key's own indentation.
                let list_item = yaml && own == key && line[own..].starts_with(b"- ");
                if own > key || list_item {
                    value_range(line)
                } else {
                    self.block = None;
                    None
                }
            }
            Block::Xml { tag } => {
                let mut closing = b"</".to_vec();
                closing.extend_from_slice(&tag);
                if line
                    .windows(closing.len())
                    .any(|w| w.eq_ignore_ascii_case(&closing))
                {
                    self.block = None;
                }
                if let Some(c) = p.xml_value.captures(line) {
                    let v = c.name("v")?;
                    return Some((v.start(), v.end()));
                }
                // Text alone on a line inside the element.
                let t = line.trim_ascii();
                if !t.is_empty() && !t.starts_with(b"<") {
                    let start = indent(line);
                    return Some((start, start + t.len()));
                }
                None
            }
        }
    }

    /// Opens a block when this line is a key naming a secret whose value
    /// follows on the next lines. `names_secret` judges a key's name.
    pub fn observe(&mut self, p: &Patterns, line: &[u8], names_secret: &dyn Fn(&[u8]) -> bool) {
        let t = line.trim_ascii();
        if t == b"kind: Secret" || t == b"kind: \"Secret\"" {
            self.k8s_secret = true;
        }
        if self.block.is_some() {
            return;
        }
        if let Some(c) = p.key_line.captures(line) {
            let key = c.name("key").map_or(&b""[..], |m| m.as_bytes());
            let k8s_data = self.k8s_secret && (key == b"data" || key == b"stringData");
            if names_secret(key) || k8s_data {
                let yaml = c.name("sep").is_some_and(|m| m.as_bytes() == b":");
                self.block = Some(Block::Indented {
                    indent: c.name("indent").map_or(0, |m| m.len()),
                    yaml,
                });
            }
            return;
        }
        // `password = value` at the start of an INI line: indented lines
        // after it continue the value (configparser).
        if indent(line) == 0
            && let Some(eq) = line.iter().position(|b| *b == b'=')
        {
            let key = line[..eq].trim_ascii();
            if !key.is_empty()
                && key
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(b))
                && names_secret(key)
            {
                self.block = Some(Block::Indented {
                    indent: 0,
                    yaml: false,
                });
            }
            return;
        }
        if let Some(c) = p.xml_open.captures(line)
            && let Some(tag) = c.name("tag")
            && names_secret(tag.as_bytes())
        {
            self.block = Some(Block::Xml {
                tag: tag.as_bytes().to_vec(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<Option<String>> {
        let p = Patterns::new().unwrap();
        let mut s = Structure::default();
        let secret = |k: &[u8]| {
            let k = String::from_utf8_lossy(k).to_lowercase();
            k.contains("password") || k.contains("secret") || k.contains("private")
        };
        text.split_inclusive('\n')
            .map(|line| {
                let r = s
                    .continuation(&p, line.as_bytes())
                    .map(|(a, b)| line[a..b].to_string());
                s.observe(&p, line.as_bytes(), &secret);
                r
            })
            .collect()
    }

    #[test]
    fn yaml_values_below_their_key() {
        let got = run(
            "db:\n  password:\n    value: s3cr3t-1\n  user: app\nkeys:\n  - a\npassword:\n- one # old\n- two\nprivate_key: |\n  AAAA\n  BBBB\nport: 1\n",
        );
        let found: Vec<String> = got.into_iter().flatten().collect();
        assert_eq!(found, ["s3cr3t-1", "one", "two", "AAAA", "BBBB"]);
    }

    #[test]
    fn kubernetes_secret_data_and_ini_continuations() {
        let got = run(
            "kind: Secret\ndata:\n  TOKEN: dG9rZW4=\n  other: eA==\nmetadata:\n  name: x\n---\ndata:\n  plain: 1\n",
        );
        let found: Vec<String> = got.into_iter().flatten().collect();
        assert_eq!(found, ["dG9rZW4=", "eA=="]);
        let got = run("[db]\npassword = first-half\n  second-half\nhost = h\n  cont\n");
        let found: Vec<String> = got.into_iter().flatten().collect();
        assert_eq!(found, ["second-half"]);
    }

    #[test]
    fn xml_child_values() {
        let got = run(
            "<AdministratorPassword>\n  <Value>UABhAHMAcwA=</Value>\n  <PlainText>false</PlainText>\n</AdministratorPassword>\n<Value>public</Value>\n",
        );
        let found: Vec<String> = got.into_iter().flatten().collect();
        assert_eq!(found, ["UABhAHMAcwA="]);
    }
}
