//! TLS for the PostgreSQL connection (H6): rustls with ring, `sslmode` and `sslrootcert`
//! as libpq means them.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::config::{PgConfig, SslMode};
use crate::error::{Error, Problem, Result};

/// ring, not aws-lc-rs (whose build needs cmake and a C toolchain on every door's
/// machine). rustls 0.23.48 deprecates ring's provider for lacking post-quantum key
/// exchange; classical ECDHE is what PostgreSQL servers offer today.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn invalid(reason: String) -> Error {
    Error::Invalid(vec![Problem::top("connection", "sslrootcert", reason)])
}

fn roots(config: &PgConfig) -> Result<Option<RootCertStore>> {
    let Some(path) = &config.ssl_root_cert else {
        return Ok(None);
    };
    let mut store = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    for cert in certs {
        let cert = cert.map_err(|e| invalid(format!("{}: {e}", path.display())))?;
        store
            .add(cert)
            .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    }
    if store.is_empty() {
        return Err(invalid(format!("{} holds no certificate", path.display())));
    }
    Ok(Some(store))
}

/// The rustls connector for `config`, or `None` for `sslmode=disable`.
pub(crate) fn connector(config: &PgConfig) -> Result<Option<MakeRustlsConnect>> {
    let mode = config.ssl_mode;
    if mode == SslMode::Disable {
        return Ok(None);
    }
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("rustls: {e}")))?;
    let roots = roots(config)?;
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, roots) {
        (SslMode::VerifyFull, Some(roots)) => {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| Error::Internal(format!("rustls: {e}")))?
        }
        // libpq: require with a root certificate verifies as verify-ca does.
        (SslMode::VerifyCa | SslMode::Require | SslMode::Prefer, Some(roots)) => Arc::new(AnyName(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| Error::Internal(format!("rustls: {e}")))?,
        )),
        (SslMode::Require | SslMode::Prefer, None) => {
            Arc::new(NoVerification(provider.signature_verification_algorithms))
        }
        // PgConfig::parse refuses verify-* without sslrootcert.
        _ => {
            return Err(invalid(format!(
                "sslmode={} needs sslrootcert",
                mode.as_str()
            )));
        }
    };
    let tls = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(MakeRustlsConnect::new(tls)))
}

/// `verify-ca`: the chain must lead to a trusted root; the host name is not checked.
/// webpki checks the chain before the name, so a name error means the chain was good.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `require`/`prefer` without a root certificate: encrypted, not authenticated (libpq's
/// meaning). The handshake signature is still checked against the presented key.
#[derive(Debug)]
struct NoVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
