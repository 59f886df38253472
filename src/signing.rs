//! Playbook signatures in minisign's format (Ed25519): key pairs, signing
//! a playbook's exact bytes into `PLAYBOOK.minisig`, and verifying against
//! trusted public keys. Interoperable both ways with the `minisign` tool:
//! its keys and signatures work here, ours work there.
//!
//! The trusted comment (covered by the signature) says what was signed:
//! `timestamp:<unix time>\tfile:<name>\tplaybook:<name>\tversion:<v>`;
//! `minisign -S` writes `timestamp:<t>\tfile:<name>\thashed`. The signing
//! time is read from `timestamp:` in either.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use minisign::{KeyPair, PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox};

/// The environment variable holding the password of an encrypted secret
/// key (keys made by `minisign -G` without `-W`).
pub const PASSWORD_ENV: &str = "SUPPORTCTL_KEY_PASSWORD";

/// A verified signature.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// The signing key's id, 16 hex digits as minisign prints it.
    pub key_id: String,
    pub trusted_comment: String,
    /// Unix time from the trusted comment's `timestamp:`, when present.
    pub signed_at: Option<i64>,
}

fn key_id(keynum: &[u8]) -> String {
    let mut id = [0u8; 8];
    id.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(id))
}

/// A public key from its base64 form (`RWQ…`) or a minisign `.pub` file's text.
pub fn parse_public_key(text: &str) -> Result<PublicKey, String> {
    let t = text.trim();
    let key = if t.contains('\n') {
        PublicKeyBox::from_string(t).and_then(|b| b.into_public_key())
    } else {
        PublicKey::from_base64(t)
    };
    key.map_err(|e| format!("not a minisign public key: {e}"))
}

/// The id of a public key.
pub fn public_key_id(pk: &PublicKey) -> String {
    key_id(pk.keynum())
}

/// Makes a key pair: `<dir>/<name>.key` (secret, unencrypted, created
/// exclusively with mode 0600) and `<dir>/<name>.pub`. Returns both paths
/// and the public key in base64 (for `trusted_keys`).
pub fn keygen(dir: &Path, name: &str, force: bool) -> Result<(PathBuf, PathBuf, String), String> {
    let sk_path = dir.join(format!("{name}.key"));
    let pk_path = dir.join(format!("{name}.pub"));
    for p in [&sk_path, &pk_path] {
        if !force && std::fs::symlink_metadata(p).is_ok() {
            return Err(format!(
                "`{}` exists; add --force to replace it",
                p.display()
            ));
        }
    }
    let kp = KeyPair::generate_unencrypted_keypair().map_err(|e| e.to_string())?;
    let id = public_key_id(&kp.pk);
    let sk_text = kp
        .sk
        .to_box(Some(&format!("supportctl secret key {id}")))
        .map_err(|e| e.to_string())?
        .into_string();
    let pk_text = kp.pk.to_box().map_err(|e| e.to_string())?.into_string();
    write_new(&sk_path, sk_text.as_bytes(), force, 0o600)?;
    write_new(&pk_path, pk_text.as_bytes(), force, 0o644)?;
    Ok((sk_path, pk_path, kp.pk.to_base64()))
}

/// Writes a file created exclusively (or replaced, with `force`), with `mode`.
fn write_new(path: &Path, bytes: &[u8], force: bool, mode: u32) -> Result<(), String> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".supportctl-key.")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in `{}`: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.write_all(bytes).map_err(|e| e.to_string())?;
    let result = if force {
        tmp.persist(path).map(|_| ())
    } else {
        tmp.persist_noclobber(path).map(|_| ())
    };
    result.map_err(|e| format!("cannot write `{}`: {}", path.display(), e.error))
}

/// Reads a secret key: unencrypted, or encrypted with the password in
/// [`PASSWORD_ENV`].
pub fn read_secret_key(path: &Path) -> Result<SecretKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the secret key `{}`: {e}", path.display()))?;
    let sk_box = SecretKeyBox::from_string(&text)
        .map_err(|e| format!("`{}` is not a minisign secret key: {e}", path.display()))?;
    let unencrypted = sk_box.clone().into_unencrypted_secret_key();
    match unencrypted {
        Ok(sk) if !sk.is_encrypted() => Ok(sk),
        _ => {
            let password = std::env::var(PASSWORD_ENV).map_err(|_| {
                format!(
                    "`{}` is encrypted; put its password in {PASSWORD_ENV}",
                    path.display()
                )
            })?;
            sk_box
                .into_secret_key(Some(password))
                .map_err(|e| format!("cannot decrypt `{}`: {e}", path.display()))
        }
    }
}

/// Signs `bytes` (a playbook's exact bytes) with `sk`; returns the
/// `.minisig` text. `trusted` goes into the signed trusted comment.
pub fn sign(sk: &SecretKey, bytes: &[u8], trusted: &str) -> Result<String, String> {
    let pk = PublicKey::from_secret_key(sk).ok();
    let sig = minisign::sign(
        pk.as_ref(),
        sk,
        Cursor::new(bytes),
        Some(trusted),
        Some("signature from supportctl"),
    )
    .map_err(|e| e.to_string())?;
    Ok(sig.into_string())
}

/// The trusted comment for a playbook signed now.
pub fn trusted_comment(file: &str, playbook: &str, version: Option<&str>, now: i64) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    format!(
        "timestamp:{now}\tfile:{}\tplaybook:{}\tversion:{}",
        clean(file),
        clean(playbook),
        clean(version.unwrap_or("-"))
    )
}

/// Verifies `sig_text` over `bytes` against any of the `trusted` keys.
pub fn verify(bytes: &[u8], sig_text: &str, trusted: &[PublicKey]) -> Result<Verified, String> {
    let sig = SignatureBox::from_string(sig_text)
        .map_err(|e| format!("the signature file is not in minisign's format: {e}"))?;
    let Some(pk) = trusted.iter().find(|pk| pk.keynum() == sig.keynum()) else {
        return Err(format!(
            "signed by key {}, which the machine policy does not trust",
            key_id(sig.keynum())
        ));
    };
    minisign::verify(pk, &sig, Cursor::new(bytes), true, false, false)
        .map_err(|e| format!("the signature does not match the playbook's bytes: {e}"))?;
    let trusted_comment = sig.trusted_comment().unwrap_or_default();
    let signed_at = trusted_comment
        .split(['\t', ' '])
        .find_map(|part| part.strip_prefix("timestamp:"))
        .and_then(|t| t.trim().parse().ok());
    Ok(Verified {
        key_id: public_key_id(pk),
        trusted_comment,
        signed_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_verifies_and_refuses_tampering_and_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let (sk_path, pk_path, b64) = keygen(dir.path(), "test", false).unwrap();
        assert!(
            keygen(dir.path(), "test", false).is_err(),
            "no silent overwrite"
        );
        let sk = read_secret_key(&sk_path).unwrap();
        let pk = parse_public_key(&std::fs::read_to_string(&pk_path).unwrap()).unwrap();
        assert_eq!(parse_public_key(&b64).unwrap(), pk);
        let bytes = b"[[step]]\nkind = \"disk\"\n";
        let sig = sign(
            &sk,
            bytes,
            &trusted_comment("p.toml", "p", Some("1.2"), 1_700_000_000),
        )
        .unwrap();
        let v = verify(bytes, &sig, std::slice::from_ref(&pk)).unwrap();
        assert_eq!(v.signed_at, Some(1_700_000_000));
        assert!(v.trusted_comment.contains("playbook:p\tversion:1.2"));
        assert!(
            verify(
                b"[[step]]\nkind = \"disk \"\n",
                &sig,
                std::slice::from_ref(&pk)
            )
            .is_err()
        );
        let other = KeyPair::generate_unencrypted_keypair().unwrap().pk;
        let e = verify(bytes, &sig, &[other]).unwrap_err();
        assert!(e.contains("does not trust"), "{e}");
    }
}
