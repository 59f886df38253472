//! The format family: files whose format, not a key on the line, says
//! where the secret is: strongSwan `ipsec.secrets`, PostgreSQL `.pgpass`,
//! `.netrc` lines, space-separated LDAP/SSSD keys (`bindpw value`),
//! WireGuard keys, and `netsh wlan show profile key=clear` output in the
//! languages Windows ships.

use super::rules::{Action, Rule, rule};

pub(super) fn rules() -> Vec<Rule> {
    let pw = |p: String| rule(p, Action::Secret("password"));
    vec![
        // ipsec.secrets: `[selectors] : PSK "x"`, `: PSK 0x…`, `: PSK 0s…`,
        // `user : EAP "x"`, `: RSA key.pem "passphrase"`.
        pw(r#"(?P<k>(?:^|\s):\s*(?:PSK|EAP|XAUTH|NTLM|PIN|IKE)\s+)(?P<v>"[^"]*"|'[^']*'|\S+)"#.into()),
        pw(r#"(?P<k>(?:^|\s):\s*(?:RSA|ECDSA|BLISS|PKCS12|P12|PKCS8)\s+\S+\s+)(?P<v>"[^"]*"|'[^']*'|[^\s%]\S*)"#.into()),
        // .pgpass: host:port:database:user:password (`\:` escapes a colon).
        pw(r"(?P<k>^(?:\*|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(?:\*|[0-9]{1,5}):(?:\\:|[^:\s])+:(?:\\:|[^:\s])+:)(?P<v>\S.*?)(?P<t>\s*$)".into()),
        // .netrc on several lines: `password X` alone on its line.
        pw(r"(?P<k>^\s*(?:(?:machine|login|account)\s+\S+\s+)*(?i:password|passwd)\s+)(?P<v>\S+)(?P<t>\s*$)".into()),
        // ldap.conf, nslcd.conf, sudo-ldap.conf, slapd.conf, Redis: space-
        // separated keys, commented out or not.
        pw(r"(?P<k>^\s*#?\s*(?i:bindpw|rootpw|tls_keypw|sasl_secprops_pw|ldap_default_authtok|olcRootPW|[\w-]*_pw|[\w-]*pass(?:word|wd)?)\s+)(?P<v>[^\s=:#][^\s]*)(?P<t>\s*$)".into()),
        // WireGuard / netplan: a 32-byte key in base64 after a key word.
        rule(
            r"(?P<k>(?i:privatekey|presharedkey|private|shared|preshared|psk|key)\s*[:=]\s*)(?P<v>[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)",
            Action::Secret("private-key"),
        ),
        // netsh wlan show profile key=clear: the key's content, in the
        // languages Windows ships (and as a wrong code page shows them).
        pw(concat!(
            r"(?P<k>^\s*(?i:Key Content|Conte\S{1,4}do da Chave|Conte\S{1,4}do da chave|Schl\S{1,4}sselinhalt",
            r"|Contenu de la cl\S{1,4}|Contenido de la clave|Contenuto chiave|Sleutelinhoud",
            r"|Zawarto\S{1,4} klucza|Obsah kl\S{1,4}\S*|Inneh\S{1,4}ll i nyckel|N\S{1,4}gleindhold|N\S{1,4}kkelinnhold",
            r"|Avaimen sis\S{1,4}lt\S{1,4}|Kulcs tartalma|Anahtar \S{1,4}\S*erigi|Содержимое ключа|\S+\s+\S+\s+\(Key Content\))",
            r"\s*:[ \t]*)(?P<v>\S[^\r\n]*?)(?P<t>\s*$)"
        ).into()),
    ]
}
