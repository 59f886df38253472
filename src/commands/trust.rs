//! Applying the machine policy to loaded playbooks: signatures, where
//! playbooks may come from, `shell = true`, allowed step kinds. Every
//! refusal is one line naming the rule, the file and the fix; a refused
//! playbook stops the whole invocation (exit 2, nothing runs).

use std::path::Path;

use crate::playbook::model::Fix;
use crate::playbook::{Playbook, SourceFile};
use crate::policy::{InForce, Require, Shell};
use crate::report::Signature;
use crate::signing;
use crate::steps::Check;

/// The largest signature file read.
const MAX_SIG_BYTES: u64 = 64 << 10;

/// Reads `<playbook>.minisig` next to the file, if any (regular files only).
fn signature_text(path: &Path) -> Option<String> {
    let mut sig = path.as_os_str().to_owned();
    sig.push(".minisig");
    let meta = std::fs::symlink_metadata(&sig).ok()?;
    if !meta.is_file() || meta.len() > MAX_SIG_BYTES {
        return None;
    }
    std::fs::read_to_string(sig).ok()
}

/// What the policy says about one playbook: its signature status, or why
/// it may not run here.
pub fn check(
    policy: &InForce,
    src: &SourceFile,
    pb: &Playbook,
    elevated: bool,
    now: i64,
) -> Result<Signature, Vec<String>> {
    let rules = &policy.policy;
    let from = policy
        .source
        .as_ref()
        .map_or("no policy".to_string(), |p| p.display().to_string());
    let mut refusals = Vec::new();
    let signature = match &src.file {
        None => Signature {
            status: "shipped".into(),
            key_id: None,
            trusted_comment: None,
        },
        Some((path, bytes)) => match signature_text(path) {
            Some(sig) if !policy.keys.is_empty() => {
                match signing::verify(bytes, &sig, &policy.keys) {
                    Ok(v) => {
                        if let (Some(max), Some(at)) = (rules.max_age, v.signed_at)
                            && now.saturating_sub(at) > max.0.as_secs() as i64
                        {
                            refusals.push(format!(
                            "signature expired: signed {} days ago, the policy's max_age is {max} ({from}); sign it again with `supportctl sign`",
                            now.saturating_sub(at) / 86_400
                        ));
                        }
                        Signature {
                            status: "signed".into(),
                            key_id: Some(v.key_id),
                            trusted_comment: Some(v.trusted_comment),
                        }
                    }
                    Err(why) => {
                        refusals.push(format!(
                        "signature refused: {why} ({}.minisig); sign it again with a key listed in trusted_keys of {from}",
                        path.display()
                    ));
                        Signature {
                            status: "unsigned".into(),
                            key_id: None,
                            trusted_comment: None,
                        }
                    }
                }
            }
            _ => Signature {
                status: "unsigned".into(),
                key_id: None,
                trusted_comment: None,
            },
        },
    };
    let signed = signature.status != "unsigned";
    let required = match rules.require_signature {
        Require::Always => true,
        Require::Elevated => elevated,
        Require::Never => false,
    };
    if required && !signed && refusals.is_empty() {
        refusals.push(format!(
            "unsigned playbook: the machine policy ({from}) requires signatures{}; sign it with `supportctl sign {}` using a key in trusted_keys",
            if rules.require_signature == Require::Elevated {
                " when running elevated"
            } else {
                ""
            },
            src.label
        ));
    }
    if elevated && let (Some(allowed), Some((path, _))) = (&rules.allowed_paths, &src.file) {
        let real = dunce::canonicalize(path).unwrap_or_else(|_| path.clone());
        let inside = allowed
            .iter()
            .any(|dir| dunce::canonicalize(dir).is_ok_and(|d| real.starts_with(d)));
        if !inside {
            refusals.push(format!(
                "playbook outside allowed_paths: `{}` is not in {} ({from}); put it in one of those folders",
                path.display(),
                allowed
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let shell_steps: Vec<&str> = pb
        .steps
        .iter()
        .filter(|s| {
            s.kind.check().uses_shell()
                || matches!(&s.fix, Some(Fix::Command { command, .. }) if command.uses_shell())
        })
        .map(|s| s.id.as_str())
        .collect();
    let shell_refused = match rules.allow_shell {
        Shell::Allowed => false,
        Shell::Refused => src.file.is_some(),
        Shell::Signed => !signed,
    };
    if shell_refused && !shell_steps.is_empty() {
        refusals.push(format!(
            "`shell = true` refused by the machine policy (allow_shell = {}, {from}) in step(s) {}; write the command as an argv array",
            match rules.allow_shell {
                Shell::Signed => "\"signed\", and this playbook is not signed",
                _ => "false",
            },
            shell_steps.join(", ")
        ));
    }
    if let Some(kinds) = &rules.allowed_kinds {
        for s in &pb.steps {
            let mut used = vec![s.kind.name()];
            if matches!(s.fix, Some(Fix::Command { .. })) {
                used.push("command");
            }
            for kind in used {
                if !kinds.iter().any(|k| k == kind) {
                    refusals.push(format!(
                        "step `{}`: kind `{kind}` is not in allowed_kinds ({from}); the policy allows {}",
                        s.id,
                        kinds.join(", ")
                    ));
                }
            }
        }
    }
    if refusals.is_empty() {
        Ok(signature)
    } else {
        Err(refusals)
    }
}
