//! The command-line family: secrets given to admin tools as arguments, as
//! they show up in shell history, sudo and audit logs, CI consoles and
//! PowerShell transcripts, in Unix and Windows forms. Generic flags
//! (`--password X`, `-token=X`) plus the tools whose secret flag is a
//! short one that means something else elsewhere (`-p` is a port to
//! `ssh`, a password to `sshpass`).

use super::rules::{Action, Rule, rule};

/// A quoted or bare argument; not a PowerShell `(subexpression)` or
/// `$variable`, which hold no secret themselves.
const ARG: &str = r#"(?:"[^"]*"|'[^']*'|[^\s"'($][^\s"']*)"#;

pub(super) fn rules() -> Vec<Rule> {
    let pw = |p: String| rule(p, Action::Secret("password"));
    // Any arguments between the program and its secret flag, on one line.
    let args = r#"(?:\s+(?:"[^"]*"|'[^']*'|[^\s|;&"']+))*?"#;
    vec![
        // `--password X`, `-token=X`, `--db-password=X`, `-srcstorepass X`,
        // `-storepass:env X` is left alone (an indirection, not a secret).
        pw(format!(
            r"(?P<k>(?:^|\s)--?[\w-]*(?i:password|passwd|passphrase|storepass|keypass|secret|token|api-?key|access-?key)(?:\s+|=))(?P<v>{ARG})"
        )),
        // PowerShell: `-Password X`, `-ClientSecret X`, `-AccessToken X`.
        pw(format!(
            r"(?P<k>\s-(?i:\w*password|\w*secret|\w*token|apikey|accesskey)\s+)(?P<v>{ARG})"
        )),
        // Tools whose secret flag is short: sshpass -p, docker/podman/helm
        // login -p, PsExec -p, kadmin/kinit -w, ldap* -w, plink/pscp -pw,
        // kadmin `addprinc -pw`, zip -P, mysql -pX (attached), 7z -pX.
        pw(format!(
            r"(?P<k>\b(?i:sshpass){args}\s+-p\s*)(?P<v>{ARG})"
        )),
        pw(format!(
            r"(?P<k>\b(?:docker|podman|buildah|skopeo|helm|nerdctl)\s+(?:\S+\s+)?login{args}\s+-p\s+)(?P<v>{ARG})"
        )),
        pw(format!(r"(?P<k>\b(?i:psexec(?:64)?(?:\.exe)?){args}\s+-p\s+)(?P<v>{ARG})")),
        pw(format!(
            r"(?P<k>\b(?:ldap\w+|kadmin(?:\.local)?|kinit|smbpasswd){args}\s+-w\s+)(?P<v>{ARG})"
        )),
        pw(format!(r"(?P<k>(?:^|\s)-pw\s+)(?P<v>{ARG})")),
        pw(format!(r"(?P<k>\bzip{args}\s+-P\s+)(?P<v>{ARG})")),
        pw(r#"(?P<k>\b7z[ar]?(?:\.exe)?\s(?:[^\r\n]*?\s)?-p)(?P<v>"[^"]*"|'[^']*'|[^\s-][^\s]*)"#.into()),
        // smbclient/rpcclient `-U 'DOMAIN\user%password'`.
        pw(r#"(?P<k>(?:^|\s)(?:-U|--user(?:name)?)[\s=]+["']?[^\s%"']+%)(?P<v>[^\s"']+)"#.into()),
        // xfreerdp `/p:secret`, schtasks `/RP secret`, `net use … /user:x secret`.
        pw(format!(r"(?P<k>(?:^|\s)/(?i:p|password):)(?P<v>{ARG})")),
        pw(format!(r"(?P<k>(?:^|\s)/(?i:rp)\s+)(?P<v>{ARG})")),
        pw(format!(r"(?P<k>(?:^|\s)/(?i:user|u):\S+\s+)(?P<v>[^\s/*]{ARG}?)")),
        // openssl `-passin pass:X`, `-passout pass:X`, `-k pass:X`.
        pw(format!(r"(?P<k>\bpass:)(?P<v>{ARG})")),
        // htpasswd -b[cmBs…] FILE USER PASSWORD.
        pw(format!(
            r"(?P<k>\bhtpasswd(?:\s+-\w+)*\s+-\w*b\w*(?:\s+-\w+)*\s+{ARG}\s+{ARG}\s+)(?P<v>{ARG})"
        )),
        // `echo 'user:password' | chpasswd`.
        pw(r#"(?P<k>\becho\s+(?:-e\s+)?["']?[\w.@-]+:)(?P<v>[^\s"'|]+)(?P<t>["']?\s*\|\s*(?:sudo\s+)?chpasswd)"#.into()),
        // usermod/useradd -p HASH (a crypt hash is as good as the password offline).
        pw(format!(r"(?P<k>\b(?:usermod|useradd){args}\s+-p\s+)(?P<v>{ARG})")),
        // HashiCorp Vault tokens and `vault login TOKEN`.
        rule(
            r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}",
            Action::Secret("api-token"),
        ),
        pw(format!(r"(?P<k>\bvault\s+login\s+)(?P<v>[^\s-]{ARG}?)")),
        // `export CREDS=user:secret`: a user:secret pair in any variable.
        pw(r"(?P<k>\b(?:export|set)\s+[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9._@\\-]+:)(?P<v>[^\s:/]*[^\s:/0-9][^\s:/]{6,})(?P<t>\s|$)".into()),
    ]
}
