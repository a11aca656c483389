//! The SMTP server as one URL setting, read once at start so a typo is reported before any
//! mail is tried, naming the part that is wrong.

use std::fmt;

use lettre::message::Mailbox;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: no TLS at all. Meant for a relay on loopback or the local network; no
    /// opportunistic STARTTLS, because a downgrade would go unnoticed anyway.
    Plain,
    /// `smtp+starttls://`: STARTTLS is required; nothing is sent if the upgrade fails.
    StartTls,
    /// `smtps://`: TLS from the first byte (port 465).
    Tls,
}

/// Where and as whom mail is sent.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port`, `smtp+starttls://host:port` or `smtps://host:port`, each with an
    /// optional `user:pass@` (percent-encoded).
    pub url: String,
    /// The From header, e.g. `BLK Contoh <noreply@blk-contoh.go.id>`.
    pub from: String,
    pub(crate) security: Security,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) from_mailbox: Mailbox,
}

impl fmt::Debug for SmtpSettings {
    // The URL may carry a password: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("server", &self.server())
            .field("from", &self.from)
            .finish()
    }
}

/// A setting that cannot be used; `part` names which part of it (`skema`, `host`, `port`, …).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SettingsError {
    pub part: &'static str,
    pub message: String,
}

fn bad(part: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        part,
        message: message.into(),
    }
}

impl SmtpSettings {
    pub fn parse(url: &str, from: &str) -> Result<SmtpSettings, SettingsError> {
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            bad(
                "skema",
                format!("Alamat server SMTP \"{url}\" tidak berskema; tulis seperti smtp://localhost:25, smtp+starttls://mail.contoh.go.id:587 atau smtps://mail.contoh.go.id:465."),
            )
        })?;
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => (Security::Plain, 25),
            "smtp+starttls" => (Security::StartTls, 587),
            "smtps" => (Security::Tls, 465),
            other => {
                return Err(bad(
                    "skema",
                    format!("Skema \"{other}\" pada alamat server SMTP tidak dikenal; gunakan smtp://, smtp+starttls:// atau smtps://."),
                ))
            }
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(bad(
                "alamat",
                "Alamat server SMTP hanya berisi pengguna, host dan port; hapus bagian sesudah garis miring atau tanda tanya.",
            ));
        }
        // The password may contain '@' when not encoded: the host follows the last one.
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let credentials = match userinfo {
            None => None,
            Some(u) => {
                let (user, pass) = u.split_once(':').ok_or_else(|| {
                    bad(
                        "pengguna",
                        "Pengguna pada alamat server SMTP tanpa kata sandi; tulis pengguna:sandi@host.",
                    )
                })?;
                let user = percent_decode(user).ok_or_else(|| {
                    bad(
                        "pengguna",
                        "Nama pengguna SMTP berisi kode persen yang tidak sah.",
                    )
                })?;
                let pass = percent_decode(pass).ok_or_else(|| {
                    bad(
                        "sandi",
                        "Kata sandi SMTP berisi kode persen yang tidak sah.",
                    )
                })?;
                if user.is_empty() {
                    return Err(bad("pengguna", "Nama pengguna SMTP kosong."));
                }
                Some((user, pass))
            }
        };
        let (host, port) = split_host_port(hostport, default_port)?;
        let from_mailbox: Mailbox = from.trim().parse().map_err(|e| {
            bad(
                "pengirim",
                format!("Alamat pengirim \"{from}\" tidak sah ({e}); tulis seperti BLK Contoh <noreply@blk-contoh.go.id>."),
            )
        })?;
        Ok(SmtpSettings {
            url: url.to_string(),
            from: from.trim().to_string(),
            security,
            host,
            port,
            credentials,
            from_mailbox,
        })
    }

    pub fn security(&self) -> Security {
        self.security
    }

    /// `host:port`, for logs (without the credentials).
    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

fn split_host_port(hostport: &str, default_port: u16) -> Result<(String, u16), SettingsError> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        // [::1]:25
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("host", "Alamat IPv6 server SMTP tanpa \"]\" penutup."))?;
        (h, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(bad("host", "Nama host server SMTP kosong."));
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    {
        return Err(bad(
            "host",
            format!("Nama host server SMTP \"{host}\" berisi karakter yang tidak sah."),
        ));
    }
    let port = match port {
        None => default_port,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(bad(
                    "port",
                    format!("Port server SMTP \"{p}\" tidak sah; tulis angka 1 sampai 65535."),
                ))
            }
        },
    };
    Ok((host.to_string(), port))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "BLK Contoh <noreply@blk-contoh.go.id>";

    #[test]
    fn the_three_schemes_and_their_default_ports() {
        let s = SmtpSettings::parse("smtp://127.0.0.1:2525", FROM).unwrap();
        assert_eq!(
            (s.security, s.server()),
            (Security::Plain, "127.0.0.1:2525".into())
        );
        let s = SmtpSettings::parse("smtp+starttls://mail.contoh.go.id", FROM).unwrap();
        assert_eq!((s.security, s.port), (Security::StartTls, 587));
        let s = SmtpSettings::parse("smtps://pengguna:r%40hasia@mail.contoh.go.id/", FROM).unwrap();
        assert_eq!((s.security, s.port), (Security::Tls, 465));
        assert_eq!(
            s.credentials,
            Some(("pengguna".to_string(), "r@hasia".to_string()))
        );
        assert!(!format!("{s:?}").contains("hasia"));
        let s = SmtpSettings::parse("smtp://[::1]:25", FROM).unwrap();
        assert_eq!(s.host, "::1");
    }

    #[test]
    fn errors_name_the_bad_part() {
        let part = |url: &str, from: &str| SmtpSettings::parse(url, from).unwrap_err().part;
        assert_eq!(part("localhost:25", FROM), "skema");
        assert_eq!(part("http://localhost", FROM), "skema");
        assert_eq!(part("smtp://localhost:abc", FROM), "port");
        assert_eq!(part("smtp://localhost:0", FROM), "port");
        assert_eq!(part("smtp://:25", FROM), "host");
        assert_eq!(part("smtp://a@localhost", FROM), "pengguna");
        assert_eq!(part("smtp://localhost/x", FROM), "alamat");
        assert_eq!(part("smtp://localhost", "bukan alamat"), "pengirim");
        let e = SmtpSettings::parse("smtp://localhost:abc", FROM).unwrap_err();
        assert!(e.message.contains("\"abc\""), "{e}");
    }
}
