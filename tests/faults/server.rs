//! `laksana serve` as a child process the test can kill with SIGKILL, or start under a
//! file-size limit standing in for a full disk.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

/// One `laksana serve` child process; killed when dropped, so a failed test leaves none behind.
pub struct Server {
    child: Child,
    pub base: String,
    /// What the server wrote to stderr (its warnings and errors), shown when a check fails.
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts `laksana serve --db db` and waits until `/readyz` says the database answers.
    pub async fn start(db: &str) -> Server {
        Server::launch(db, None, &[]).await
    }

    /// As [`Server::start`], with more `serve` flags after `--db` and `--listen`; `{base}` in
    /// them becomes the server's own address (for `--public-url`). Used by `two_servers.rs`,
    /// which shares this file.
    #[allow(dead_code)]
    pub async fn start_with(db: &str, flags: &[&str]) -> Server {
        Server::launch(db, None, flags).await
    }

    /// As [`Server::start`], with no file of the process allowed to grow beyond `bytes`
    /// (RLIMIT_FSIZE) and SIGXFSZ ignored, so a write past the limit fails with EFBIG, as a
    /// write to a full disk fails with ENOSPC, instead of killing the process. The limit and
    /// the ignored signal are set by `sh` and `prlimit` and survive the exec into `laksana`.
    pub async fn start_with_file_limit(db: &str, bytes: u64) -> Server {
        Server::launch(db, Some(bytes), &[]).await
    }

    async fn launch(db: &str, file_limit: Option<u64>, flags: &[&str]) -> Server {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let listen = format!("127.0.0.1:{port}");
        let laksana = env!("CARGO_BIN_EXE_laksana");
        let mut args: Vec<String> = ["serve", "--db", db, "--listen", &listen]
            .map(String::from)
            .to_vec();
        args.extend(flags.iter().map(|f| f.replace("{base}", &base)));
        let mut command = match file_limit {
            None => {
                let mut c = Command::new(laksana);
                c.args(&args);
                c
            }
            Some(bytes) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(r#"trap '' XFSZ; exec prlimit --fsize="$0" -- "$@""#)
                    .arg(bytes.to_string())
                    .arg(laksana)
                    .args(&args);
                c
            }
        };
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start laksana serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                // The last few hundred kilobytes are enough to see why a check failed.
                if log.len() > 256 * 1024 {
                    let cut = log.len() - 128 * 1024;
                    let cut = (cut..log.len()).find(|i| log.is_char_boundary(*i)).unwrap();
                    log.replace_range(..cut, "…\n");
                }
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut server = Server { child, base, log };
        server.wait_ready(Duration::from_secs(30)).await;
        server
    }

    /// Polls `/readyz` until it answers 200; panics (with the server's log) at the deadline or
    /// when the process has exited.
    async fn wait_ready(&mut self, within: Duration) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "laksana serve exited ({status}) before it was ready:\n{}",
                    self.log()
                );
            }
            let ready = client
                .get(format!("{}/readyz", self.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "laksana serve on {} was not ready within {within:?}:\n{}",
            self.base,
            self.log()
        );
    }

    /// SIGKILL: no shutdown, no flush, no rollback by the process itself.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL laksana serve");
        self.child.wait().expect("reap laksana serve");
    }

    /// Whether the process is still running (a full disk must not kill it).
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("wait status").is_none()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}
