//! `supportctl keygen`, `sign` and `policy show`: making keys, signing
//! playbooks, and showing the machine policy that decides what runs.

use super::print_error;
use crate::cli::{KeygenArgs, ListFormat, SignArgs};
use crate::exit::Exit;
use crate::terminal::Terminal;

pub fn keygen(args: &KeygenArgs, term: &Terminal) -> i32 {
    match crate::signing::keygen(&args.dir, &args.name, args.force) {
        Ok((sk, pk, b64)) => {
            crate::outln!(
                "secret key: {} (keep it off the machines that run playbooks)",
                sk.display()
            );
            crate::outln!("public key: {}", pk.display());
            crate::outln!("trusted_keys = [\"{b64}\"]");
            0
        }
        Err(e) => {
            print_error(
                &e,
                Some("choose another --dir or --name"),
                term.stderr_color,
            );
            Exit::Invalid.code()
        }
    }
}

pub fn sign(args: &SignArgs, term: &Terminal) -> i32 {
    let sk = match crate::signing::read_secret_key(&args.key) {
        Ok(k) => k,
        Err(e) => {
            print_error(
                &e,
                Some("make one with `supportctl keygen`, or pass --key"),
                term.stderr_color,
            );
            return Exit::Invalid.code();
        }
    };
    let now = jiff::Timestamp::now().as_second();
    let mut code = 0;
    for path in &args.playbooks {
        let result = std::fs::read(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))
            .and_then(|bytes| {
                // Name and version from the playbook itself, for the comment.
                let table: toml::Table = std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|t| toml::from_str(t.trim_start_matches('\u{feff}')).ok())
                    .unwrap_or_default();
                let meta = table.get("playbook");
                let field = |k: &str| meta.and_then(|m| m.get(k)).and_then(|v| v.as_str());
                let file = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let stem = path
                    .file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let comment = crate::signing::trusted_comment(
                    &file,
                    field("name").unwrap_or(&stem),
                    field("version"),
                    now,
                );
                let sig = crate::signing::sign(&sk, &bytes, &comment)?;
                let mut out = path.as_os_str().to_owned();
                out.push(".minisig");
                std::fs::write(&out, sig)
                    .map_err(|e| format!("cannot write the signature: {e}"))?;
                Ok(std::path::PathBuf::from(out))
            });
        match result {
            Ok(sig) => crate::outln!("signed {} -> {}", path.display(), sig.display()),
            Err(e) => {
                print_error(&e, None, term.stderr_color);
                code = Exit::Invalid.code();
            }
        }
    }
    code
}

pub fn policy_show(format: ListFormat, term: &Terminal) -> i32 {
    let path = crate::policy::path();
    let policy = match crate::policy::load_from(&path) {
        Ok(p) => p,
        Err(e) => {
            let at = e.at.map_or(String::new(), |(l, c)| format!(":{l}:{c}"));
            print_error(
                &format!("{}{at}: {}", e.file, e.message),
                Some(&e.hint),
                term.stderr_color,
            );
            return Exit::Invalid.code();
        }
    };
    let source = policy.source.as_ref().map(|p| p.display().to_string());
    let key_ids: Vec<String> = policy
        .keys
        .iter()
        .map(crate::signing::public_key_id)
        .collect();
    match format {
        ListFormat::Json => {
            let json = serde_json::json!({
                "source": source,
                "looked_for": path.display().to_string(),
                "policy": policy.policy,
                "trusted_key_ids": key_ids,
                "elevated": crate::privilege::is_elevated(),
            });
            crate::outln!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        ListFormat::Human => {
            let p = &policy.policy;
            match &source {
                Some(s) => crate::outln!("policy: {s}"),
                None => crate::outln!(
                    "policy: none ({} does not exist): every playbook may run",
                    path.display()
                ),
            }
            crate::outln!("require_signature: {:?}", p.require_signature);
            crate::outln!(
                "trusted keys: {}",
                if key_ids.is_empty() {
                    "none".into()
                } else {
                    key_ids.join(", ")
                }
            );
            crate::outln!("allow_shell: {:?}", p.allow_shell);
            crate::outln!(
                "allowed_kinds: {}",
                p.allowed_kinds
                    .as_ref()
                    .map_or("all".into(), |k| k.join(", "))
            );
            crate::outln!(
                "allowed_paths: {}",
                p.allowed_paths
                    .as_ref()
                    .map_or("anywhere root owns".into(), |k| k
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "))
            );
            crate::outln!(
                "max_age: {}",
                p.max_age.map_or("none".into(), |d| d.to_string())
            );
            crate::outln!(
                "this run is {}elevated",
                if crate::privilege::is_elevated() {
                    ""
                } else {
                    "not "
                }
            );
        }
    }
    0
}
