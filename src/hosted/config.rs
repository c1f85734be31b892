//! A `postgres://` connection string, read as libpq reads it, with its secret kept out of
//! every debug print and error (H6).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Problem, Result};

/// How the connection uses TLS: libpq's `sslmode`, with libpq's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it, without verifying the server (libpq's default).
    Prefer,
    /// TLS or nothing. The certificate is verified against `sslrootcert` as with
    /// `verify-ca` when one is given (libpq does the same), otherwise not at all.
    Require,
    /// TLS, and the server's certificate chains to `sslrootcert`; any host name.
    VerifyCa,
    /// TLS, the certificate chains to `sslrootcert` and names the host connected to.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// libpq's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A parsed connection string. Its `Debug` shows host, port, database, user and the TLS
/// settings, never the password nor the string itself.
#[derive(Clone)]
pub struct PgConfig {
    /// The string as given: the key of the process-wide pool map, never printed.
    pub(crate) url: String,
    pub(crate) pg: tokio_postgres::Config,
    pub(crate) ssl_mode: SslMode,
    pub(crate) ssl_root_cert: Option<PathBuf>,
    /// Most connections the process-wide pool of this URL opens (`pool_max_size`).
    pub(crate) pool_max_size: usize,
    /// Whether statements are prepared once per connection and kept (`statement_cache`,
    /// `on` by default; `off` behind a transaction-pooling proxy that does not track
    /// prepared statements, such as PgBouncer before 1.21).
    pub(crate) statement_cache: bool,
    password: Option<String>,
}

/// The default of `pool_max_size`.
pub const DEFAULT_POOL_MAX_SIZE: usize = 16;

/// %XX decoding as libpq does it in a URI (a `+` stays a `+`).
fn percent_decode(s: &str) -> String {
    let escaped = s.replace('+', "%2B");
    form_urlencoded::parse(format!("v={escaped}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::Invalid(vec![Problem::top("connection", "url", reason)])
}

impl PgConfig {
    /// Reads a `postgres://` or `postgresql://` URL. Besides what tokio-postgres reads
    /// (host, port, user, password, dbname, `application_name`, `connect_timeout`,
    /// `hostaddr`, keepalives, …) it takes libpq's `sslmode` (`disable`, `prefer` — the
    /// default —, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (a PEM file),
    /// and hearken's `pool_max_size` and `statement_cache` (`on`, the default, or `off`:
    /// behind PgBouncer in transaction mode before 1.21). No error message repeats the URL
    /// or its password.
    pub fn parse(url: &str) -> Result<PgConfig> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| invalid("a hosted store is named by a postgres:// URL"))?;
        let (head, query) = match rest.split_once('?') {
            Some((h, q)) => (h, q),
            None => (rest, ""),
        };
        let mut ssl_mode = SslMode::Prefer;
        let mut ssl_root_cert = None;
        let mut pool_max_size = DEFAULT_POOL_MAX_SIZE;
        let mut passfile = None;
        let mut statement_cache = true;
        // The options hearken reads are taken out; every other pair goes on to
        // tokio-postgres exactly as written (re-encoding would turn %20 into +, which
        // libpq and tokio-postgres do not read as a space).
        let mut passed: Vec<&str> = Vec::new();
        for raw in query.split('&').filter(|s| !s.is_empty()) {
            let (raw_key, raw_value) = raw.split_once('=').unwrap_or((raw, ""));
            let value = || percent_decode(raw_value);
            match percent_decode(raw_key).as_str() {
                "sslmode" => {
                    ssl_mode = SslMode::parse(&value()).ok_or_else(|| {
                        invalid(
                            "sslmode must be disable, prefer, require, verify-ca or verify-full",
                        )
                    })?
                }
                "sslrootcert" => ssl_root_cert = Some(PathBuf::from(value())),
                "passfile" => passfile = Some(PathBuf::from(value())),
                "pool_max_size" => {
                    pool_max_size = value()
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| invalid("pool_max_size must be a positive integer"))?
                }
                "statement_cache" => {
                    statement_cache = match value().as_str() {
                        "on" => true,
                        "off" => false,
                        _ => return Err(invalid("statement_cache must be on or off")),
                    }
                }
                _ => passed.push(raw),
            }
        }
        let stripped = if passed.is_empty() {
            format!("postgresql://{head}")
        } else {
            format!("postgresql://{head}?{}", passed.join("&"))
        };
        let mut pg: tokio_postgres::Config =
            stripped.parse().map_err(|e: tokio_postgres::Error| {
                // tokio-postgres names the option at fault, never its value.
                invalid(format!("not a valid PostgreSQL URL: {e}"))
            })?;
        if matches!(ssl_mode, SslMode::VerifyCa | SslMode::VerifyFull) && ssl_root_cert.is_none() {
            return Err(invalid(format!(
                "sslmode={} needs sslrootcert=PATH (the CA's PEM file)",
                ssl_mode.as_str()
            )));
        }
        pg.ssl_mode(match ssl_mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        if pg.get_connect_timeout().is_none() {
            pg.connect_timeout(Duration::from_secs(10));
        }
        pg.keepalives(true);
        if pg.get_application_name().is_none() {
            pg.application_name("hearken");
        }
        if pg.get_password().is_none() {
            let file = passfile.or_else(default_passfile);
            if let Some(found) = file
                .map(|file| password_from_file(&file, &pg))
                .transpose()?
                .flatten()
            {
                pg.password(found);
            }
        }
        let password = pg
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .filter(|p| !p.is_empty());
        Ok(PgConfig {
            url: url.to_owned(),
            pg,
            ssl_mode,
            ssl_root_cert,
            pool_max_size,
            statement_cache,
            password,
        })
    }

    /// The TLS mode.
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    /// Replaces the password (and the whole URL, should it ever be in there) in a message
    /// from the server or the client library.
    pub(crate) fn redact(&self, message: &str) -> String {
        let mut m = message.replace(&self.url, "<connection string>");
        if let Some(p) = &self.password {
            m = m.replace(p.as_str(), "<password>");
        }
        m
    }
}

/// libpq's password file when the URL names none: `$PGPASSFILE`, else `~/.pgpass`.
fn default_passfile() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("PGPASSFILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    let file = PathBuf::from(home).join(".pgpass");
    file.exists().then_some(file)
}

/// The password of the first line of the password file `file` (libpq's format:
/// `hostname:port:database:username:password`, `*` matching anything, `\:` and `\\`
/// escaped, `#` comments) that matches the connection's first host, port, database and
/// user. Like libpq, a file others may read is not used; unlike libpq, that is an error
/// rather than a warning, so the host learns why its password was not sent. No error
/// repeats a line of the file.
fn password_from_file(
    file: &std::path::Path,
    pg: &tokio_postgres::Config,
) -> Result<Option<String>> {
    let bad = |reason: &str| {
        Error::Invalid(vec![Problem::top(
            "connection",
            "passfile",
            reason.to_owned(),
        )])
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad("the password file does not exist"));
        }
        Err(_) => return Err(bad("the password file cannot be read")),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file)
            .map_err(|_| bad("the password file cannot be read"))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(bad(
                "the password file is readable by group or others; make it 0600 (chmod 600), as libpq requires",
            ));
        }
    }
    let host = match pg.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(_)) => "localhost".to_owned(),
        None => "localhost".to_owned(),
    };
    let port = pg.get_ports().first().copied().unwrap_or(5432).to_string();
    let user = pg.get_user().unwrap_or_default().to_owned();
    let database = pg.get_dbname().map_or_else(|| user.clone(), str::to_owned);
    let wanted = [
        host.as_str(),
        port.as_str(),
        database.as_str(),
        user.as_str(),
    ];
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = passfile_fields(line);
        if fields.len() < 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(wanted)
            .all(|(field, want)| field == "*" || field == want)
        {
            return Ok(Some(fields[4..].join(":")));
        }
    }
    Ok(None)
}

/// A password-file line split at its unescaped colons, the escapes undone.
fn passfile_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

impl fmt::Debug for PgConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConfig")
            .field("hosts", &self.pg.get_hosts())
            .field("ports", &self.pg.get_ports())
            .field("dbname", &self.pg.get_dbname())
            .field("user", &self.pg.get_user())
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("sslmode", &self.ssl_mode.as_str())
            .field("sslrootcert", &self.ssl_root_cert)
            .field("pool_max_size", &self.pool_max_size)
            .field("statement_cache", &self.statement_cache)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let c = PgConfig::parse(
            "postgresql://eng:s3cr%21tpw@127.0.0.1:5432/db?sslmode=verify-full&sslrootcert=/x/ca.crt&pool_max_size=3",
        )
        .unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("s3cr"), "{d}");
        assert!(d.contains("<redacted>") && d.contains("verify-full"), "{d}");
        assert_eq!(c.pool_max_size, 3);
        assert_eq!(c.redact("oops s3cr!tpw"), "oops <password>");
    }

    #[test]
    fn libpq_ssl_modes() {
        let c = PgConfig::parse("postgres://u@h/db").unwrap();
        assert_eq!(c.ssl_mode(), SslMode::Prefer);
        let e = PgConfig::parse("postgres://u:pw@h/db?sslmode=verify-ca").unwrap_err();
        assert!(e.to_string().contains("sslrootcert"), "{e}");
        let e = PgConfig::parse("postgres://u:hunter2@h/db?sslmode=bogus").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = PgConfig::parse("postgres://u:hunter2@h/db?nonsense=1").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(PgConfig::parse("mysql://u@h/db").is_err());
    }

    #[test]
    fn other_options_pass_through_as_written() {
        let c = PgConfig::parse(
            "postgres://u@h/db?options=-c%20search_path%3Dx&sslrootcert=/a+b/c%20d.crt&sslmode=require",
        )
        .unwrap();
        assert_eq!(c.pg.get_options(), Some("-c search_path=x"));
        assert_eq!(
            c.ssl_root_cert.as_deref(),
            Some(std::path::Path::new("/a+b/c d.crt"))
        );
        assert_eq!(c.ssl_mode(), SslMode::Require);
    }

    fn passfile(lines: &str, mode: u32) -> (tempfile::TempDir, String) {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, lines).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let encoded: String =
            form_urlencoded::byte_serialize(path.to_str().unwrap().as_bytes()).collect();
        (dir, encoded)
    }

    #[test]
    fn h6_the_password_comes_from_a_libpq_password_file() {
        let (_dir, file) = passfile(
            "# comment\nother:5432:db:eng:wrong\n127.0.0.1:5433:*:eng:pa\\:ss:word\n*:*:*:*:fallback\n",
            0o600,
        );
        let c =
            PgConfig::parse(&format!("postgres://eng@127.0.0.1:5433/db?passfile={file}")).unwrap();
        assert_eq!(c.pg.get_password(), Some(&b"pa:ss:word"[..]));
        let d = format!("{c:?}");
        assert!(!d.contains("pa:ss") && !d.contains(&file), "{d}");
        let c = PgConfig::parse(&format!("postgres://x@elsewhere/db?passfile={file}")).unwrap();
        assert_eq!(c.pg.get_password(), Some(&b"fallback"[..]));
        // A password in the URL wins, as with libpq.
        let c = PgConfig::parse(&format!(
            "postgres://eng:inurl@127.0.0.1:5433/db?passfile={file}"
        ))
        .unwrap();
        assert_eq!(c.pg.get_password(), Some(&b"inurl"[..]));
    }

    #[test]
    fn h6_a_password_file_others_may_read_or_a_missing_one_is_refused_by_name() {
        let (_dir, file) = passfile("*:*:*:*:s3cret\n", 0o644);
        let e = PgConfig::parse(&format!("postgres://eng@h/db?passfile={file}")).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("passfile") && text.contains("0600"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        let e = PgConfig::parse("postgres://eng@h/db?passfile=/nonexistent/pgpass").unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(!e.to_string().contains("/nonexistent"), "{e}");
    }

    #[test]
    fn h3_statement_cache_is_a_url_switch() {
        assert!(
            PgConfig::parse("postgres://u@h/db")
                .unwrap()
                .statement_cache
        );
        let c = PgConfig::parse("postgres://u@h/db?statement_cache=off&sslmode=disable").unwrap();
        assert!(!c.statement_cache);
        assert!(format!("{c:?}").contains("statement_cache: false"));
        assert!(
            PgConfig::parse("postgres://u@h/db?statement_cache=on")
                .unwrap()
                .statement_cache
        );
        let e = PgConfig::parse("postgres://u:hunter2@h/db?statement_cache=maybe").unwrap_err();
        assert!(e.to_string().contains("statement_cache"), "{e}");
        assert!(
            !e.to_string().contains("hunter2") && !e.to_string().contains("maybe"),
            "{e}"
        );
    }
}
