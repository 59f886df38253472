//! The secret rule family (on by default): `key = value` pairs whose key
//! names a secret, Authorization headers, tokens with known shapes (cloud
//! keys, JWTs, …), connection strings, URL credentials and private key
//! blocks. Each replaces the secret with `[REDACTED:<rule>]` and keeps what
//! names it.

use super::rules::{Action, Rule, rule};

/// The keys whose value is a secret in `key=value`, `key: value`, `"key": "value"`.
pub(super) const SECRET_KEYS: &str = concat!(
    r"passw(?:or)?d|passphrase|(?:\b|_)pass\b|secret|token|api[_-]?key|access[_-]?key",
    r"|private[_-]?key|credentials?|client[_-]?secret|auth[_-]?key",
    r"|(?:account|storage|shared|preshared|master|signing|encryption|session|app|subscription|functions)[_-]?key",
    r"|key-data|tls\.key|requirepass|masterauth",
    r"|\bpsk\b|[\w-]psk\b|wep_key\d|keymaterial|authtok|bindpw|rootpw|keypw|\bcreds?\b|_creds?\b",
    r"|(?:validation|decryption|machine|license|licence|webhook)[_-]?key|cpassword|connectionstring|pin_?code"
);

/// A quote around a key or value, as written raw, escaped inside a JSON
/// string (`\"`, `\\\"`) or in XML (`&quot;`).
pub(super) const QUOTE: &str = r#"(?:\\*["']|&quot;)"#;

/// `-----BEGIN RSA PRIVATE KEY-----`, `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`,
/// `-----BEGIN OpenVPN Static key V1-----`.
/// PuTTY `.ppk` files: from `Private-Lines:` to `Private-MAC:`.
pub(super) const KEY_BEGIN: &str = r"-{4,5} ?BEGIN[ A-Za-z0-9]*(?:PRIVATE KEY|(?i:static key))[ A-Za-z0-9]*-{4,5}|^Private-Lines: *[0-9]+";
pub(super) const KEY_END: &str =
    r"-{4,5} ?END[ A-Za-z0-9]*(?:PRIVATE KEY|(?i:static key))[ A-Za-z0-9]*-{4,5}|^Private-MAC:";

/// The built-in secret rules, in priority order (see docs/redaction.md).
/// Private key blocks are handled before these, line by line (see
/// [`Redactor::line`]).
pub(super) fn builtin_rules() -> Vec<Rule> {
    let token = r"[A-Za-z0-9\-._~+/]{8,}=*";
    let value = r#"\\+".*?\\+"|&quot;.*?&quot;|"(?:[^"\\]|\\.)*"?|'[^']*'|[^\s,;&"'<>{}\[\]()]+"#;
    let pw = |p: String| rule(p, Action::Secret("password"));
    vec![
        // Base64 of a PEM private key (Kubernetes `client-key-data`, `tls.key`).
        rule(
            r"LS0tLS1CRUdJTi(?:BQUklWQVRF|BSU0EgUFJJVkFUR|BFQyBQUklWQVRF|BPUEVOU1NIIFBSSV|BFTkNSWVBURUQgUF|BEU0EgUFJJVkFUR)[A-Za-z0-9+/=]*",
            Action::Secret("private-key"),
        ),
        // scheme://user:password@host (an `@` may be in the user or the password).
        rule(
            r"(?P<k>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<v>[^\s/:?#]*:[^\s?#]*)@",
            Action::Secret("url-credentials"),
        ),
        rule(
            format!(
                r#"(?P<k>(?i:authorization|proxy-authorization){QUOTE}?\s*[:=]\s*{QUOTE}?(?:[A-Za-z][\w-]*\s+)?)(?P<v>{token})"#
            ),
            Action::Secret("authorization"),
        ),
        rule(
            format!(r"(?P<k>\b(?i:bearer)\s+)(?P<v>{token})"),
            Action::Secret("bearer-token"),
        ),
        rule(
            r"(?P<k>\b(?i:cookie|set-cookie)\s*:\s*)(?P<v>[^\r\n]+)",
            Action::Secret("cookie"),
        ),
        rule(
            concat!(
                r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}",
                r"|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}",
                r"|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}",
                r"|npm_[A-Za-z0-9]{36}|ya29\.[0-9A-Za-z_-]{20,}",
                r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
                r"|hooks\.slack\.com/services/[A-Za-z0-9/]+",
                r"|discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+",
                r"|webhook\.office\.com/[A-Za-z0-9@/._-]+)"
            ),
            Action::Secret("api-token"),
        ),
        rule(
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b",
            Action::Secret("cloud-key"),
        ),
        rule(
            r"(?P<k>(?:[?&;]|\\u0026)(?i:sig|x-amz-signature|x-goog-signature)=)(?P<v>[A-Za-z0-9%+/=]{16,})",
            Action::Secret("cloud-key"),
        ),
        // `Server=x;Password=a b c;Encrypt=true`: the whole value, spaces,
        // ODBC braces and quotes included, after a `;` or before one.
        rule(
            r#"(?P<k>;\s*(?i:password|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*)(?P<v>\{(?:[^}]|\}\})*\}|"(?:[^"]|"")*"|'(?:[^']|'')*'|[^;\r\n"]+)"#,
            Action::Secret("connection-string"),
        ),
        rule(
            r#"(?P<k>\b(?i:password|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*)(?P<v>\{(?:[^}]|\}\})*\}|[^;\r\n"]+)(?P<t>;)"#,
            Action::Secret("connection-string"),
        ),
        // `PWD=` in connection strings, but not a working directory (`PWD=/var/www`).
        rule(
            r#"(?P<k>(?:^|[;\s&?])[\w.-]*(?i:pwd)\s*=\s*)(?P<v>\{(?:[^}]|\}\})*\}|[^/~;\r\n"\s][^;\r\n"]*)"#,
            Action::Secret("connection-string"),
        ),
        // Command lines: `--password X`, `-token=X`, `curl -u user:pass`,
        // `ConvertTo-SecureString "X"`, SQL `IDENTIFIED BY 'X'`, `.netrc`.
        pw(r"(?P<k>(?:^|\s)(?:-u|--user)\s+[^:\s]+:)(?P<v>\S+)".into()),
        pw(r#"(?P<k>(?i:convertto-securestring)(?:\s+-\w+)*\s+)(?P<v>"[^"]*"|'[^']*')"#.into()),
        pw(r"(?P<k>\b(?i:net)\s+(?i:user)\s+[^\s/]+\s+)(?P<v>[^\s/*]\S*)".into()),
        pw(r"(?P<k>\b(?i:net)\s+(?i:use)\s+(?:[A-Za-z]:\s+)?\\\\\S+\s+)(?P<v>[^\s/*]\S*)".into()),
        pw(r"(?P<k>\bmysql(?:dump|admin)?\s(?:[^\r\n]*?\s)?-p)(?P<v>[^\s-]\S*)".into()),
        pw(r"(?P<k>\bsqlcmd\s(?:[^\r\n]*?\s)?-P\s*)(?P<v>\S+)".into()),
        pw(r"(?P<k>^\s*(?:requirepass|masterauth)\s+)(?P<v>\S+)".into()),
        pw(r"(?P<k>(?i:identified\s+by|with\s+password|password)\s+)(?P<v>'[^']*')".into()),
        pw(r"(?P<k>\bmachine\s+\S+\s+login\s+\S+\s+password\s+)(?P<v>\S+)".into()),
        // A key that is just `auth` or `_auth` (npm, Docker's config.json), not
        // a word inside a name (`gcloud-auth-plugin:amd64` in dpkg.log).
        pw(format!(
            r#"(?P<k>(?:^|[^\w.-]){QUOTE}?_?(?i:auth){QUOTE}?\s*[:=]\s*)(?P<v>{value})"#
        )),
        // XML: `<Password>x</Password>`, `<add key="SmtpPassword" value="x" />`.
        pw(format!(
            r"(?P<k><[\w:.-]*(?i:{SECRET_KEYS})[\w.-]*>(?:\s*<Value>)?)(?P<v>[^<]+)"
        )),
        pw(format!(
            r#"(?P<k>(?i:key)="[^"]*(?i:{SECRET_KEYS})[^"]*"\s+(?i:value)=)(?P<v>"[^"]*")"#
        )),
        // A key naming a secret at the start of a line (.env, INI, YAML,
        // `set "X=..."`, `export X=...`): the value runs to the end of the line.
        pw(format!(
            r#"(?P<k>^\s*(?:export\s+|set\s+"?)?{QUOTE}?[\w.-]*(?i:{SECRET_KEYS})[\w.-]*{QUOTE}?\s*(?:=|:)[ \t]*)(?P<v>[^"'\s][^\r\n]*[^\s"\r\n]|[^"'\s])"#
        )),
        // Anywhere else: key=value, key: value, "key": "value", key => value.
        pw(format!(
            r#"(?P<k>{QUOTE}?[\w.-]*(?i:{SECRET_KEYS})[\w.-]*{QUOTE}?\s*(?:=>|=|:|%3[Dd])\s*)(?P<v>{value})"#
        )),
    ]
}

/// The last name in a key's text (`"client_secret": ` -> `client_secret`), lower case.
fn key_word(key: &[u8]) -> String {
    key.iter()
        .rev()
        .skip_while(|b| !b.is_ascii_alphanumeric())
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-' || **b == b'.')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect::<String>()
        .chars()
        .rev()
        .collect()
}

/// Keys that name something about a secret, not a secret: their values stay
/// (`PasswordExpired : False`, `badPwdCount`, `PublicKeyToken=31bf...`).
pub(super) fn harmless_key(key: &[u8]) -> bool {
    let word = key_word(key);
    const SUFFIXES: &[&str] = &[
        "expired",
        "expires",
        "expiry",
        "expiration",
        "lastset",
        "count",
        "attempt",
        "name",
        "type",
        "policy",
        "length",
        "elevation",
        "publickeytoken",
        "max_tokens",
        "num_tokens",
        "total_tokens",
        "token_id",
        "tokenid",
        "key_id",
        "keyid",
        "token_type",
        "tokentype",
        "secret_name",
        "secretname",
        "secretref",
        "computed",
        "time",
        "date",
        "timestamp",
        "history",
        "complexity",
        "quality",
        "notrequired",
        "neverexpires",
        "_at",
        ".go",
        ".java",
        ".py",
        ".rs",
        ".js",
        ".ts",
        ".cs",
        ".cc",
        ".cpp",
        ".c",
        ".rb",
        ".kt",
        "required",
        "changed",
        "age",
    ];
    SUFFIXES.iter().any(|s| word.ends_with(s))
}

/// Values that are never secrets on their own: states, PAM types,
/// authentication methods, placeholders.
pub(super) fn harmless_value(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    let v = v
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(v);
    const WORDS: &[&str] = &[
        "true",
        "false",
        "null",
        "nil",
        "none",
        "",
        "required",
        "optional",
        "yes",
        "no",
        "on",
        "off",
        "enabled",
        "disabled",
        "present",
        "absent",
        "set",
        "unset",
        "empty",
        "hidden",
        "masked",
        "redacted",
        "changed",
        "expired",
        "invalid",
        "incorrect",
        "wrong",
        "failed",
        "failure",
        "success",
        "ok",
        "unknown",
        "n/a",
        "na",
        "session",
        "account",
        "auth",
        "chauthtok",
        "password",
        "simple",
        "kerberos",
        "token",
        "basic",
        "bearer",
        "digest",
        "ntlm",
        "negotiate",
        "plain",
        "plaintext",
        "obfuscated_password",
        "prompt",
        "%prompt",
        "********",
        "*****",
        "***",
        "xxx",
        "xxxx",
        "<redacted>",
        "[redacted]",
        "(null)",
    ];
    let lower = v.to_ascii_lowercase();
    WORDS.iter().any(|w| lower == w.as_bytes()) || v.starts_with(b"[REDACTED")
}

/// Whether a key demands that any value under it is a secret (a password,
/// a pre-shared key): people choose words and short numbers for these. Other
/// secret words (`token`, `auth`, `key`, `credential`) name secrets that are
/// random strings, so their values must look like one (see
/// [`looks_like_structure`]).
pub(super) fn strong_key(key: &[u8]) -> bool {
    let word = key_word(key);
    let k = word.as_bytes();
    let has = |w: &[u8]| k.windows(w.len()).any(|x| x == w);
    // A bare `secret=` often names a secret object (`secret="regcred"` in
    // Kubernetes logs); `client_secret`, `webhook_secret` hold one.
    let compound_secret = has(b"secret") && word != "secret";
    has(b"pass")
        || has(b"pwd")
        || has(b"psk")
        || compound_secret
        || has(b"_pw")
        || has(b"bindpw")
        || has(b"rootpw")
        || has(b"keypw")
        || has(b"pin")
        || has(b"keymaterial")
        || has(b"authtok")
        || has(b"wep_key")
        || k.ends_with(b"pw")
}

/// Whether a value (and what follows it on the line) is program structure
/// rather than a secret: a type or call (`AppWindowToken{…}`, `Token {`,
/// `Account (`), an object identity (`android.os.BinderProxy@2bd79ce`), a
/// bare number (`destroySurfaces:374`, `secret.go:123`), or a short word in
/// one case (`SIMPLE`, `session`) — for keys that are not [`strong_key`]s,
/// whose real values are random strings.
pub(super) fn looks_like_structure(value: &[u8], after: &[u8], strong: bool) -> bool {
    let mut v = value.trim_ascii();
    while let [b'"' | b'\'' | b'\\', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b'"' | b'\'' | b'\\'] = v {
        v = rest;
    }
    let next = after.trim_ascii_start().first().copied();
    if matches!(next, Some(b'{') | Some(b'('))
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_.$".contains(b))
    {
        return true;
    }
    // pkg.Class@1a2b3c (Java's default toString).
    if let Some(at) = v.iter().position(|b| *b == b'@') {
        let (name, hex) = (&v[..at], &v[at + 1..]);
        if name.contains(&b'.')
            && name
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"_.$".contains(b))
            && hex.len() >= 4
            && hex.iter().all(u8::is_ascii_hexdigit)
        {
            return true;
        }
    }
    if strong {
        return false;
    }
    if !v.is_empty() && v.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let letters_only = v
        .iter()
        .all(|b| b.is_ascii_alphabetic() || b"_-".contains(b));
    let one_case = !v.iter().any(u8::is_ascii_uppercase) || !v.iter().any(u8::is_ascii_lowercase);
    letters_only && one_case && v.len() <= 16
}
