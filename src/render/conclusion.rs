//! The conclusion of a run as labelled lines, shared by the renderers
//! (human, Markdown, ticket text): what is wrong, what to tell the user,
//! what to do next, which resolvers were tried, and the steps behind it.

use crate::report::{Conclusion, Status};

/// `(label, text)` lines for one conclusion, the summary first.
pub fn lines(c: &Conclusion) -> Vec<(&'static str, String)> {
    let mut out = vec![("Conclusion", c.summary.clone())];
    if let Some(t) = &c.tell_user {
        out.push(("Tell the user", t.clone()));
    }
    if let Some(n) = &c.next {
        out.push(("Next", n.clone()));
    }
    if !c.fixes.is_empty() {
        out.push(("Fixes tried", fixes(c)));
    }
    if !c.steps.is_empty() {
        let steps: Vec<String> = c
            .steps
            .iter()
            .map(|s| match &s.reason {
                Some(r) => format!("{} {} ({r})", s.id, s.status.as_str()),
                None => format!("{} {}", s.id, s.status.as_str()),
            })
            .collect();
        out.push((
            if c.matched { "Found by" } else { "Steps" },
            steps.join("; "),
        ));
    }
    out
}

/// "flush-dns: pass, cleared it; renew-dhcp: not applied (…)".
fn fixes(c: &Conclusion) -> String {
    let list: Vec<String> = c
        .fixes
        .iter()
        .map(|f| {
            let how = match (f.status, f.verified) {
                (_, true) => format!("{}, cleared it", f.status.as_str()),
                (Status::Skipped, _) => format!("not applied ({})", f.message),
                (Status::Pass | Status::Fixed, false) => "ran, did not clear it".to_string(),
                (s, false) => format!("{} ({})", s.as_str(), f.message),
            };
            format!("{}: {how}", f.step)
        })
        .collect();
    if c.fixes.len() == 1 {
        return list.join("");
    }
    let verdict = if c.cleared {
        "cleared"
    } else if c.fixes.iter().all(|f| f.status == Status::Skipped) {
        "none applied"
    } else {
        "not cleared"
    };
    format!("{} — {verdict}", list.join("; "))
}

/// One line for formats with room for one summary (Nagios, TAP, JUnit).
pub fn one_line(c: &Conclusion) -> String {
    let mut text = c.summary.clone();
    if c.cleared {
        text.push_str(" (cleared by its fix)");
    }
    super::one_line(&text)
}
