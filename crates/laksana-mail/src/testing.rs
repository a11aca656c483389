//! A small SMTP receiver on loopback for tests: real SMTP from the worker, read back here.
//!
//! It speaks just enough RFC 5321 for lettre (greeting, EHLO/HELO without STARTTLS or AUTH,
//! MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) and keeps every accepted message.
//! The helpers on [`Received`] undo what lettre does to non-ASCII text (RFC 2047 encoded-words
//! in headers, quoted-printable or base64 bodies), so tests can assert on Indonesian text.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// One accepted message, as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope sender (inside `MAIL FROM:<…>`).
    pub mail_from: String,
    /// The envelope recipients.
    pub rcpt_to: Vec<String>,
    /// Headers and body, dot-unstuffed, CRLF line ends, without the final `.`.
    pub data: String,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    refuse: AtomicUsize,
    arrived: Notify,
}

/// The running receiver; stops when dropped.
pub struct SmtpReceiver {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpReceiver {
    /// Listens on 127.0.0.1 on a free port and returns it.
    pub async fn start() -> (SmtpReceiver, u16) {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let shared = Arc::new(Shared::default());
        let for_task = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&for_task);
                tokio::spawn(async move {
                    let _ = session(stream, &shared).await;
                });
            }
        });
        (SmtpReceiver { shared, task }, port)
    }

    /// Everything accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages were accepted or `timeout` passed; returns what arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            let now = self.received();
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.received();
            }
        }
    }

    /// Answers `451` at the end of DATA for the next `n` messages (a temporary refusal, as a
    /// greylisting or overloaded server gives), so retries can be tested.
    pub fn refuse_next(&self, n: usize) {
        self.shared.refuse.store(n, Ordering::SeqCst);
    }
}

async fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 laksana-test ESMTP siap\r\n").await?;
    let mut from: Option<String> = None;
    let mut rcpt: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if lines.read_until(b'\n', &mut buf).await? == 0 {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\r', '\n']);
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-laksana-test\r\n250 8BITMIME\r\n",
            "HELO" => b"250 laksana-test\r\n",
            "MAIL" => {
                from = Some(angle(line));
                rcpt.clear();
                b"250 OK\r\n"
            }
            "RCPT" if from.is_some() => {
                rcpt.push(angle(line));
                b"250 OK\r\n"
            }
            "RCPT" => b"503 MAIL dulu\r\n",
            "DATA" if from.is_none() || rcpt.is_empty() => b"503 MAIL dan RCPT dulu\r\n",
            "DATA" => {
                write
                    .write_all(b"354 Akhiri dengan <CRLF>.<CRLF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    buf.clear();
                    if lines.read_until(b'\n', &mut buf).await? == 0 {
                        return Ok(());
                    }
                    let l = String::from_utf8_lossy(&buf);
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    // Dot-unstuffing (RFC 5321 4.5.2).
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                let refused = shared
                    .refuse
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                let envelope = (from.take().unwrap_or_default(), std::mem::take(&mut rcpt));
                if refused {
                    b"451 4.3.0 Coba lagi nanti\r\n"
                } else {
                    shared.received.lock().unwrap().push(Received {
                        mail_from: envelope.0,
                        rcpt_to: envelope.1,
                        data,
                    });
                    shared.arrived.notify_waiters();
                    b"250 OK diterima\r\n"
                }
            }
            "RSET" => {
                from = None;
                rcpt.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "VRFY" => b"252 Tidak dapat memeriksa\r\n",
            "QUIT" => {
                write.write_all(b"221 Sampai jumpa\r\n").await?;
                return Ok(());
            }
            _ => b"500 Perintah tidak dikenal\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address inside `<…>` of a MAIL/RCPT line.
fn angle(line: &str) -> String {
    match (line.find('<'), line.rfind('>')) {
        (Some(a), Some(b)) if a < b => line[a + 1..b].to_string(),
        _ => line
            .split_once(':')
            .map_or("", |(_, v)| v.trim())
            .to_string(),
    }
}

impl Received {
    /// A header's value, unfolded, encoded-words decoded; the first of that name.
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(split_head(&self.data).0, name).map(|v| decode_words(&v))
    }

    pub fn subject(&self) -> Option<String> {
        self.header("Subject")
    }

    /// The text/plain body, transfer-decoded, with `\n` line ends.
    pub fn text_body(&self) -> Option<String> {
        self.part("text/plain")
    }

    /// The text/html body of a multipart/alternative message.
    pub fn html_body(&self) -> Option<String> {
        self.part("text/html")
    }

    fn part(&self, want: &str) -> Option<String> {
        find_part(&self.data, want)
    }
}

fn split_head(entity: &str) -> (&str, &str) {
    if let Some(i) = entity.find("\r\n\r\n") {
        (&entity[..i], &entity[i + 4..])
    } else if let Some(i) = entity.find("\n\n") {
        (&entity[..i], &entity[i + 2..])
    } else {
        (entity, "")
    }
}

fn header_in(head: &str, name: &str) -> Option<String> {
    let mut found: Option<String> = None;
    for line in head.split('\n').map(|l| l.trim_end_matches('\r')) {
        if line.starts_with([' ', '\t']) {
            if let Some(v) = found.as_mut() {
                v.push_str(line);
                continue;
            }
        } else if found.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                found = Some(v.trim_start().to_string());
            }
        }
    }
    found
}

/// A parameter of a header value, e.g. `boundary` of a Content-Type.
fn param(value: &str, key: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find_part(entity: &str, want: &str) -> Option<String> {
    let (head, body) = split_head(entity);
    let ctype = header_in(head, "Content-Type").unwrap_or_else(|| "text/plain".into());
    let mime = ctype
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        let boundary = format!("--{}", param(&ctype, "boundary")?);
        return body
            .split(boundary.as_str())
            .skip(1)
            .take_while(|p| !p.starts_with("--"))
            .find_map(|p| find_part(p.trim_start_matches(['\r', '\n']), want));
    }
    if mime != want {
        return None;
    }
    let encoding = header_in(head, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let bytes = match encoding.trim() {
        "base64" => base64_decode(body),
        "quoted-printable" => qp_decode(body),
        _ => body.as_bytes().to_vec(),
    };
    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    Some(text.trim_end_matches('\n').to_string())
}

/// Decodes RFC 2047 encoded-words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); whitespace between two
/// adjacent encoded-words is dropped, as the RFC requires.
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut gap = String::new();
    let mut rest = value;
    let flush = |pending: &mut Vec<u8>, out: &mut String| {
        if !pending.is_empty() {
            out.push_str(&String::from_utf8_lossy(pending));
            pending.clear();
        }
    };
    while !rest.is_empty() {
        if let Some((bytes, after)) = encoded_word(rest) {
            // Adjacent encoded words: the whitespace between them is not text.
            gap.clear();
            pending.extend(bytes);
            rest = after;
            continue;
        }
        let c = rest.chars().next().unwrap();
        rest = &rest[c.len_utf8()..];
        if c.is_whitespace() && !pending.is_empty() {
            gap.push(c);
            continue;
        }
        flush(&mut pending, &mut out);
        out.push_str(&gap);
        gap.clear();
        out.push(c);
    }
    flush(&mut pending, &mut out);
    out.push_str(&gap);
    out
}

fn encoded_word(s: &str) -> Option<(Vec<u8>, &str)> {
    let inner = s.strip_prefix("=?")?;
    let (_charset, inner) = inner.split_once('?')?;
    let (enc, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let text = &inner[..end];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match enc {
        "b" | "B" => base64_decode(text),
        "q" | "Q" => qp_decode(&text.replace('_', " ")),
        _ => return None,
    };
    Some((bytes, &inner[end + 2..]))
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn qp_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if b[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let Some(n) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_and_bodies_decode() {
        assert_eq!(
            decode_words("=?utf-8?b?VW5kYW5nYW4g4oCU?= =?utf-8?q?_Pelatihan?= Las"),
            "Undangan — Pelatihan Las"
        );
        assert_eq!(decode_words("Biasa saja"), "Biasa saja");
        assert_eq!(
            String::from_utf8(qp_decode("Yth. =E2=80=9CPeserta=E2=80=9D,=\r\nlanjut")).unwrap(),
            "Yth. “Peserta”,lanjut"
        );
        assert_eq!(base64_decode("SGFsbw=="), b"Halo");
    }

    #[test]
    fn parts_of_a_multipart_message() {
        let r = Received {
            mail_from: String::new(),
            rcpt_to: vec![],
            data: "Subject: x\r\nContent-Type: multipart/alternative;\r\n boundary=\"B1\"\r\n\r\n--B1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGFsbw==\r\n--B1\r\nContent-Type: text/html\r\n\r\n<p>Halo</p>\r\n--B1--\r\n".into(),
        };
        assert_eq!(r.text_body().as_deref(), Some("Halo"));
        assert_eq!(r.html_body().as_deref(), Some("<p>Halo</p>"));
    }
}
