//! `suggest`: which playbook fits what a user said ("my printer wont print
//! anything"), ranked by the playbooks' `symptoms`.
//!
//! Words are normalised before they are compared: lower case, apostrophes
//! dropped (`won't` → `wont`), filler words left out (`my`, `the`,
//! `computer`, `not`...), words that mean the same problem mapped to one
//! concept (`wifi`/`wireless`/`wlan`, `slow`/`laggy`/`sluggish`,
//! `frozen`/`hangs`/`stuck`...; "log in" and "sign on" are one word,
//! `signin`), and plural and tense endings stripped.
//! Then a misspelt word still matches one edit away (Damerau-Levenshtein,
//! words of 4 letters or more).
//!
//! A playbook's score is its best symptom's F1 (how much of the query the
//! symptom covers, and how much of the symptom the query covers), plus a
//! little for query words in its name, description and category, plus a
//! small boost when it fixed something on this machine before (the
//! history). Pure: candidates in, ranking out.

/// A playbook as `suggest` sees it.
#[derive(Clone, Debug, Default)]
pub struct Candidate {
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub symptoms: Vec<String>,
    /// Runs of it on this machine that fixed something (a `fixed` step or
    /// a cleared cause).
    pub fixed_before: u32,
}

/// One suggestion: the candidate's index, its score and the symptom that
/// matched best.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub index: usize,
    pub score: f64,
    pub symptom: Option<String>,
}

/// Below this a playbook is not suggested at all.
pub const MIN_SCORE: f64 = 0.3;

/// Nor when it scores below this share of the best one (a weak tail of
/// playbooks that share one word with the query says nothing).
pub const RELATIVE_CUTOFF: f64 = 0.65;

/// Words that say nothing about the problem.
const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "my",
    "me",
    "i",
    "im",
    "ive",
    "we",
    "our",
    "you",
    "your",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "to",
    "of",
    "on",
    "in",
    "at",
    "for",
    "with",
    "and",
    "or",
    "but",
    "so",
    "as",
    "by",
    "from",
    "up",
    "out",
    "not",
    "no",
    "dont",
    "doesnt",
    "didnt",
    "wont",
    "cant",
    "cannot",
    "can",
    "isnt",
    "arent",
    "wasnt",
    "any",
    "anything",
    "all",
    "very",
    "just",
    "keep",
    "keeps",
    "kept",
    "again",
    "please",
    "help",
    "computer",
    "pc",
    "laptop",
    "machine",
    "desktop",
    "some",
    "when",
    "how",
    "why",
    "what",
    "there",
    "get",
    "gets",
    "got",
    "do",
    "does",
    "did",
    "will",
    "would",
    "should",
    "could",
    "have",
    "has",
    "had",
    "since",
    "after",
    "before",
    "every",
    "today",
    "yesterday",
    "now",
    "still",
    "anymore",
    "really",
    "too",
    "much",
    "lot",
    "lots",
    "say",
    "says",
    "said",
    "show",
    "shows",
    "time",
    "times",
    "one",
    "because",
];

/// Words for the same problem, mapped to one concept.
const CONCEPTS: &[(&str, &[&str])] = &[
    ("wifi", &["wifi", "wireless", "wlan", "hotspot"]),
    (
        "network",
        &[
            "internet",
            "web",
            "online",
            "connection",
            "connect",
            "connected",
            "connecting",
            "connectivity",
            "network",
            "net",
            "lan",
            "ethernet",
            "website",
            "websites",
            "site",
            "sites",
            "page",
            "pages",
            "browse",
            "browsing",
            "reach",
            "unreachable",
            "server",
            "disconnect",
            "disconnected",
            "disconnecting",
            "drop",
            "dropping",
            "dropped",
            "drops",
        ],
    ),
    (
        "slow",
        &[
            "slow", "slowly", "laggy", "lag", "lagging", "sluggish", "crawl", "crawling", "slower",
        ],
    ),
    (
        "stuck",
        &[
            "stuck",
            "frozen",
            "freeze",
            "freezes",
            "freezing",
            "hang",
            "hangs",
            "hanging",
            "hung",
            "unresponsive",
            "responding",
            "respond",
            "jammed",
            "close",
        ],
    ),
    (
        "print",
        &[
            "print", "printer", "printers", "printing", "printed", "prints", "spooler", "spool",
        ],
    ),
    (
        "disk",
        &[
            "disk", "disks", "drive", "drives", "storage", "space", "full", "ssd", "hdd", "volume",
            "filling",
        ],
    ),
    ("dns", &["dns", "resolve", "resolving", "nslookup"]),
    (
        "error",
        &[
            "error",
            "errors",
            "crash",
            "crashes",
            "crashing",
            "crashed",
            "bluescreen",
            "bsod",
            "blue",
            "event",
            "viewer",
            "eventlog",
            "failure",
            "failures",
            "wrong",
        ],
    ),
    (
        "clean",
        &[
            "clean",
            "cleanup",
            "clear",
            "delete",
            "remove",
            "temp",
            "temporary",
            "cache",
            "junk",
            "tmp",
        ],
    ),
    (
        "app",
        &[
            "app",
            "apps",
            "application",
            "applications",
            "program",
            "programs",
            "outlook",
            "excel",
            "word",
            "chrome",
            "browser",
            "firefox",
            "edge",
            "process",
        ],
    ),
    ("portal", &["portal", "captive", "hotel", "guest"]),
    (
        "signin",
        &[
            "signin",
            "login",
            "logon",
            "logins",
            "password",
            "passwords",
            "locked",
            "lockout",
            "credentials",
            "kerberos",
        ],
    ),
    (
        "tls",
        &[
            "certificate",
            "cert",
            "ssl",
            "tls",
            "https",
            "insecure",
            "privacy",
        ],
    ),
    (
        "log",
        &[
            "log",
            "logs",
            "diagnostic",
            "diagnostics",
            "bundle",
            "collect",
            "gather",
            "attach",
        ],
    ),
    ("teams", &["teams", "msteams", "meeting", "meetings"]),
    (
        "git",
        &["git", "developer", "development", "dev", "compiler", "sdk"],
    ),
    ("cpu", &["cpu", "processor", "100%", "fan", "hot"]),
];

/// A word's concept, or the word with plural and tense endings stripped;
/// with `fuzzy` (what a user typed), a misspelt concept word too.
fn normal(word: &str, fuzzy: bool) -> Option<String> {
    if FILLER.contains(&word) {
        return None;
    }
    let concept = |w: &str| {
        CONCEPTS
            .iter()
            .find(|(_, words)| words.contains(&w))
            .map(|(c, _)| c.to_string())
    };
    if let Some(c) = concept(word) {
        return Some(c);
    }
    let stem = stem(word);
    if let Some(c) = concept(&stem) {
        return Some(c);
    }
    // A misspelt concept word (`prnter`, `internt`): one edit away.
    if fuzzy
        && word.chars().count() >= 5
        && let Some((c, _)) = CONCEPTS.iter().find(|(_, words)| {
            words
                .iter()
                .any(|w| w.len() >= 5 && strsim::damerau_levenshtein(w, word) <= 1)
        })
    {
        return Some(c.to_string());
    }
    Some(stem)
}

/// English plural and tense endings, stripped from words long enough.
fn stem(word: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(root) = word.strip_suffix(suffix)
            && root.len() >= 3
        {
            return root.to_string();
        }
    }
    word.to_string()
}

/// The normalised words of what a user typed, each once, in order.
pub fn words(text: &str) -> Vec<String> {
    normalised(text, true)
}

/// The normalised words of a playbook's own text (no typo correction:
/// its author's words are taken as written).
fn own_words(text: &str) -> Vec<String> {
    normalised(text, false)
}

fn normalised(text: &str, fuzzy: bool) -> Vec<String> {
    let lower = text.to_lowercase().replace(['\'', '’'], "");
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '%'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        // Two-word verbs that name one thing: "log in", "sign on".
        let joined = match (words[i], words.get(i + 1)) {
            ("log" | "sign", Some(&("in" | "on"))) => Some("signin"),
            _ => None,
        };
        let raw = joined.unwrap_or(words[i]);
        i += if joined.is_some() { 2 } else { 1 };
        if let Some(w) = normal(raw, fuzzy)
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    out
}

/// How well two normalised words match: 1 when equal, 0.8 one edit
/// apart (both at least 4 letters), else 0.
fn matches(a: &str, b: &str) -> f64 {
    if a == b {
        1.0
    } else if a.chars().count() >= 4
        && b.chars().count() >= 4
        && strsim::damerau_levenshtein(a, b) <= 1
    {
        0.8
    } else {
        0.0
    }
}

/// The best match of `word` among `among`.
fn best(word: &str, among: &[String]) -> f64 {
    among.iter().map(|w| matches(word, w)).fold(0.0, f64::max)
}

/// F1 of a query against a symptom: precision over the query's words,
/// recall over the symptom's.
fn f1(query: &[String], symptom: &[String]) -> f64 {
    if query.is_empty() || symptom.is_empty() {
        return 0.0;
    }
    let p = query.iter().map(|q| best(q, symptom)).sum::<f64>() / query.len() as f64;
    let r = symptom.iter().map(|s| best(s, query)).sum::<f64>() / symptom.len() as f64;
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Ranks `candidates` for `query`, best first; only those scoring at least
/// [`MIN_SCORE`].
pub fn rank(query: &str, candidates: &[Candidate]) -> Vec<Ranked> {
    let q = words(query);
    let mut out: Vec<Ranked> = candidates
        .iter()
        .enumerate()
        .filter_map(|(index, c)| {
            let (symptom_score, symptom) = c
                .symptoms
                .iter()
                .map(|s| (f1(&q, &own_words(s)), s))
                .fold((0.0, None), |acc, (score, s)| {
                    if score > acc.0 {
                        (score, Some(s.clone()))
                    } else {
                        acc
                    }
                });
            let about = own_words(&format!(
                "{} {} {}",
                c.name.replace(['-', '_'], " "),
                c.description,
                c.category.as_deref().unwrap_or_default()
            ));
            let about_score = if q.is_empty() {
                0.0
            } else {
                q.iter().map(|w| best(w, &about)).sum::<f64>() / q.len() as f64
            };
            let mut score = symptom_score + 0.15 * about_score;
            // What fixed things here before counts, for a playbook that fits already.
            if score >= MIN_SCORE && c.fixed_before > 0 {
                score += (0.05 * f64::from(c.fixed_before).ln_1p()).min(0.15);
            }
            (score >= MIN_SCORE).then_some(Ranked {
                index,
                score: (score * 1000.0).round() / 1000.0,
                symptom,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    if let Some(top) = out.first().map(|r| r.score) {
        out.retain(|r| r.score >= top * RELATIVE_CUTOFF);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_normalised() {
        assert_eq!(words("My printer won't print ANYTHING"), ["print"]);
        assert_eq!(words("WiFi keeps dropping"), ["wifi", "network"]);
        assert_eq!(words("computer is laggy"), ["slow"]);
        assert_eq!(words("jobs stuck"), ["job", "stuck"]);
    }

    #[test]
    fn a_typo_still_matches() {
        assert_eq!(words("prnter internt"), ["print", "network"]);
        assert_eq!(matches("pritner", "printer"), 0.8);
        assert_eq!(matches("cat", "car"), 0.0);
    }

    #[test]
    fn history_breaks_ties_between_fitting_playbooks_only() {
        let c = |name: &str, symptom: &str, fixed: u32| Candidate {
            name: name.into(),
            symptoms: vec![symptom.into()],
            fixed_before: fixed,
            ..Candidate::default()
        };
        let cands = [
            c("a", "printer offline", 0),
            c("b", "printer offline", 5),
            c("z", "disk full", 50),
        ];
        let r = rank("printer is offline", &cands);
        assert_eq!(r.iter().map(|r| r.index).collect::<Vec<_>>(), [1, 0]);
    }
}
