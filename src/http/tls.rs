//! TLS for `http` steps: rustls trusting the OS certificate store (plus any
//! `ca_file`), or Security.framework through native-tls on macOS (ring,
//! rustls' crypto, needs a C compiler for Apple targets).
//!
//! The server's certificate is kept even when verification fails, so a
//! failure can say *why* in plain words: "expired 3 days ago", "is for
//! other.example, not portal.example", "issuer not trusted".

use std::io::{Read, Write};

use super::cert::{self, CertInfo};

/// A connection we can read from and write to: plain TCP or TLS over it.
pub trait Io: Read + Write + Send {}
impl<T: Read + Write + Send> Io for T {}

/// How to verify the server.
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Accept any certificate (still read for expiry).
    pub insecure: bool,
    /// Extra trusted CA certificates (DER), e.g. an organisation's own CA.
    pub extra_roots: Vec<Vec<u8>>,
}

/// Why a TLS handshake failed.
#[derive(Debug)]
pub struct TlsFailure {
    /// The reason code (`cert_expired`, `cert_untrusted`, `cert_name`,
    /// `tls` or `timeout`).
    pub code: &'static str,
    pub reason: String,
    /// The server's certificate, when it sent one.
    pub cert: Option<Box<CertInfo>>,
    /// The handshake ran out of time (the server stopped answering).
    pub timed_out: bool,
}

impl TlsFailure {
    fn new(reason: impl Into<String>) -> TlsFailure {
        TlsFailure {
            code: "tls",
            reason: reason.into(),
            cert: None,
            timed_out: false,
        }
    }
}

/// Reads the certificates of a PEM file (for `ca_file`), as DER.
/// Only a regular file of at most 1 MiB is read (never a FIFO or a device).
pub fn read_pem_certificates(path: &std::path::Path) -> Result<Vec<Vec<u8>>, String> {
    use std::io::Read as _;
    const MAX: u64 = 1024 * 1024;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if !meta.is_file() {
        return Err(format!("`{shown}` is not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if bytes.len() as u64 > MAX {
        return Err(format!("`{shown}` is larger than 1 MiB: not a CA file"));
    }
    let mut out = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(&bytes) {
        match pem {
            Ok(p) if p.label == "CERTIFICATE" => {
                if x509_parser::parse_x509_certificate(&p.contents).is_err() {
                    return Err(format!(
                        "`{shown}` holds a CERTIFICATE block that is not a valid X.509 certificate"
                    ));
                }
                out.push(p.contents);
            }
            Ok(_) => {}
            Err(e) => return Err(format!("`{}` is not valid PEM: {e}", path.display())),
        }
    }
    if out.is_empty() {
        return Err(format!(
            "`{}` holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(out)
}

/// The words for an unreadable or untrusted certificate, given what it says.
fn untrusted(cert: Option<&CertInfo>) -> String {
    if let Some(c) = cert.filter(|c| c.subject == c.issuer) {
        return format!(
            "certificate is self-signed ({}) and not trusted: set `insecure = true` for a device \
             you accept as is, or give the server a certificate issued by a CA and that CA in \
             `ca_file` (a self-signed server certificate cannot be its own CA)",
            c.subject
        );
    }
    let issuer = cert.map_or(String::new(), |c| format!(" ({})", c.issuer));
    format!(
        "certificate is not trusted: its issuer{issuer} is not in this machine's trust store \
         (self-signed, a missing intermediate, or a TLS-inspecting proxy; give the CA with \
         `ca_file`, or set `insecure = true` for a device you accept as is)"
    )
}

fn wrong_name(host: &str, cert: Option<&CertInfo>) -> String {
    match cert {
        Some(c) => format!(
            "certificate is not valid for `{host}`: it is for {}",
            c.names_list()
        ),
        None => format!("certificate is not valid for `{host}`"),
    }
}

/// A server that only offers what rustls refuses (TLS 1.0/1.1, RSA key
/// exchange, short keys): common on old printers, UPS cards, switches.
fn old_tls(detail: &str) -> String {
    format!(
        "the server offers only old TLS versions or ciphers that supportctl refuses (TLS 1.0/1.1, \
         RSA key exchange: an old device?); `insecure = true` does not change that ({detail})"
    )
}

fn expired(cert: Option<&CertInfo>) -> String {
    let now = jiff::Timestamp::now().as_second();
    match cert {
        Some(c) if c.not_before > now => format!(
            "certificate is not valid until {} (is this machine's clock right?)",
            cert::date(c.not_before)
        ),
        Some(c) => format!("certificate {}", c.expiry_phrase(now)),
        None => "certificate has expired or is not valid yet".into(),
    }
}

#[cfg(not(target_os = "macos"))]
pub use rustls_impl::handshake;

#[cfg(target_os = "macos")]
pub use native_impl::handshake;

#[cfg(not(target_os = "macos"))]
mod rustls_impl {
    use std::sync::{Arc, Mutex, OnceLock};

    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{
        CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
        SignatureScheme, StreamOwned,
    };

    use super::{Io, TlsFailure, TlsOptions, expired, old_tls, untrusted, wrong_name};
    use crate::http::Bounded;
    use crate::http::cert::{self, CertInfo};

    /// The OS trust store, loaded once per run.
    fn system_roots() -> &'static RootCertStore {
        static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
        ROOTS.get_or_init(|| {
            let mut store = RootCertStore::empty();
            store.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            store
        })
    }

    /// Verifies like rustls' WebPKI verifier (or not at all when insecure),
    /// keeping the server's certificate for expiry and messages.
    #[derive(Debug)]
    struct Recorder {
        inner: Option<Arc<WebPkiServerVerifier>>,
        provider: Arc<CryptoProvider>,
        seen: Mutex<Option<Vec<u8>>>,
    }

    impl ServerCertVerifier for Recorder {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if let Ok(mut seen) = self.seen.lock() {
                *seen = Some(end_entity.to_vec());
            }
            match &self.inner {
                Some(v) => v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now),
                None => Ok(ServerCertVerified::assertion()),
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }

    /// The reason code and sentence for a handshake error.
    fn reason(e: &rustls::Error, host: &str, cert: Option<&CertInfo>) -> (&'static str, String) {
        match e {
            rustls::Error::InvalidCertificate(ce) => match ce {
                CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. } => ("cert_expired", expired(cert)),
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    ("cert_name", wrong_name(host, cert))
                }
                CertificateError::UnknownIssuer => ("cert_untrusted", untrusted(cert)),
                CertificateError::Revoked => {
                    ("cert_untrusted", "certificate has been revoked".into())
                }
                // webpki's words for a self-signed certificate: a CA used as
                // the server's own, or a signature no trusted CA made.
                _ if cert.is_some_and(|c| c.subject == c.issuer) => {
                    ("cert_untrusted", untrusted(cert))
                }
                CertificateError::Other(other)
                    if format!("{other:?}").contains("CaUsedAsEndEntity") =>
                {
                    (
                        "cert_untrusted",
                        "certificate is a CA certificate used as the server's own (not allowed)"
                            .into(),
                    )
                }
                other => ("cert_untrusted", format!("certificate rejected: {other:?}")),
            },
            rustls::Error::InvalidMessage(_) => (
                "tls",
                format!(
                    "the server does not speak TLS on this port (plain HTTP? try http://): {e}"
                ),
            ),
            rustls::Error::PeerIncompatible(_)
            | rustls::Error::AlertReceived(
                rustls::AlertDescription::HandshakeFailure
                | rustls::AlertDescription::ProtocolVersion
                | rustls::AlertDescription::InsufficientSecurity,
            ) => ("tls", old_tls(&e.to_string())),
            other => ("tls", format!("TLS handshake failed: {other}")),
        }
    }

    /// Runs the TLS handshake on `tcp`.
    pub fn handshake(
        mut tcp: Bounded,
        host: &str,
        opts: &TlsOptions,
    ) -> Result<(Box<dyn Io>, Option<CertInfo>), TlsFailure> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = if opts.insecure {
            None
        } else {
            let mut roots = system_roots().clone();
            for der in &opts.extra_roots {
                roots
                    .add(CertificateDer::from(der.clone()))
                    .map_err(|e| TlsFailure::new(format!("`ca_file` certificate unusable: {e}")))?;
            }
            if roots.is_empty() {
                return Err(TlsFailure::new(
                    "no trusted CA certificates found on this machine: give them with `ca_file`",
                ));
            }
            Some(
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| TlsFailure::new(format!("cannot set up verification: {e}")))?,
            )
        };
        let recorder = Arc::new(Recorder {
            inner,
            provider: provider.clone(),
            seen: Mutex::new(None),
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsFailure::new(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string())
            .map_err(|_| TlsFailure::new(format!("`{host}` is not a valid TLS server name")))?;
        let mut conn = ClientConnection::new(Arc::new(config), name)
            .map_err(|e| TlsFailure::new(e.to_string()))?;
        let seen = || {
            recorder
                .seen
                .lock()
                .ok()
                .and_then(|s| s.as_ref().and_then(|der| cert::parse(host, der)))
        };
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut tcp) {
                let cert = seen();
                let tls = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>());
                let timed_out = matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                );
                let (code, reason) = match tls {
                    Some(t) => reason(t, host, cert.as_ref()),
                    None if timed_out => {
                        ("timeout", "the TLS handshake got no answer in time".into())
                    }
                    None if e.kind() == std::io::ErrorKind::UnexpectedEof => (
                        "tls",
                        "the server closed the connection during the TLS handshake (not a TLS port?)"
                            .into(),
                    ),
                    None => ("tls", format!("TLS handshake failed: {e}")),
                };
                return Err(TlsFailure {
                    code,
                    reason,
                    cert: cert.map(Box::new),
                    timed_out,
                });
            }
        }
        let cert = seen();
        Ok((Box::new(StreamOwned::new(conn, tcp)), cert))
    }
}

#[cfg(target_os = "macos")]
mod native_impl {
    use native_tls::{Certificate, HandshakeError, TlsConnector};

    use super::{Io, TlsFailure, TlsOptions, expired, old_tls, untrusted, wrong_name};
    use crate::http::Bounded;
    use crate::http::cert::{self, CertInfo};

    /// Runs the TLS handshake on `tcp` through Security.framework. A
    /// rejected certificate is not available to read, so the reason is
    /// classified from the framework's message (the host name removed
    /// first, so `localhost` does not read as a name problem).
    pub fn handshake(
        tcp: Bounded,
        host: &str,
        opts: &TlsOptions,
    ) -> Result<(Box<dyn Io>, Option<CertInfo>), TlsFailure> {
        let mut builder = TlsConnector::builder();
        builder
            .danger_accept_invalid_certs(opts.insecure)
            .danger_accept_invalid_hostnames(opts.insecure);
        for der in &opts.extra_roots {
            let c = Certificate::from_der(der)
                .map_err(|e| TlsFailure::new(format!("`ca_file` certificate unusable: {e}")))?;
            builder.add_root_certificate(c);
        }
        let connector = builder
            .build()
            .map_err(|e| TlsFailure::new(format!("cannot set up TLS: {e}")))?;
        let bare = host.trim_matches(['[', ']']);
        match connector.connect(bare, tcp) {
            Ok(stream) => {
                let cert = stream
                    .peer_certificate()
                    .ok()
                    .flatten()
                    .and_then(|c| c.to_der().ok())
                    .and_then(|der| cert::parse(host, &der));
                Ok((Box::new(stream), cert))
            }
            Err(HandshakeError::WouldBlock(_)) => Err(TlsFailure {
                code: "timeout",
                reason: "the TLS handshake got no answer in time".into(),
                cert: None,
                timed_out: true,
            }),
            Err(HandshakeError::Failure(e)) => {
                let text = e.to_string();
                let lower = text
                    .to_ascii_lowercase()
                    .replace(&bare.to_ascii_lowercase(), "");
                let timed_out = lower.contains("timed out") || lower.contains("would block");
                let (code, reason) = if lower.contains("expired") {
                    ("cert_expired", expired(None))
                } else if lower.contains("trust")
                    || lower.contains("root")
                    || lower.contains("issuer")
                {
                    ("cert_untrusted", untrusted(None))
                } else if lower.contains("hostname")
                    || lower.contains("name mismatch")
                    || lower.contains("does not match")
                {
                    ("cert_name", wrong_name(host, None))
                } else if lower.contains("protocol version")
                    || lower.contains("handshake failure")
                    || lower.contains("cipher")
                {
                    ("tls", old_tls(&text))
                } else if timed_out {
                    ("timeout", format!("TLS handshake failed: {text}"))
                } else {
                    ("tls", format!("TLS handshake failed: {text}"))
                };
                Err(TlsFailure {
                    code,
                    reason: format!("{reason} ({text})"),
                    cert: None,
                    timed_out,
                })
            }
        }
    }
}
