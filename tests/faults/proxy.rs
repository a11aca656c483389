//! A TCP proxy the test owns, between `laksana serve` and PostgreSQL, that can be cut (every
//! connection dropped, new ones refused: the port is closed) and restored on the same port.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

pub struct Proxy {
    /// Where clients connect: 127.0.0.1 and a port that stays the same across cuts.
    pub addr: SocketAddr,
    upstream: SocketAddr,
    /// The accept loop while the proxy is up; its connections are in `connections`.
    acceptor: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

fn listen(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().expect("socket");
    // The port is taken again after a cut, while its old connections may be in TIME_WAIT.
    socket.set_reuseaddr(true).expect("SO_REUSEADDR");
    socket.bind(addr).expect("bind the proxy port");
    socket.listen(128).expect("listen")
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = listen("127.0.0.1:0".parse().unwrap());
        let addr = listener.local_addr().unwrap();
        let proxy = Proxy {
            addr,
            upstream,
            acceptor: Mutex::new(None),
            connections: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let upstream = self.upstream;
        let connections = self.connections.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
                let mut all = connections.lock().unwrap();
                all.retain(|t| !t.is_finished());
                all.push(task);
            }
        });
        *self.acceptor.lock().unwrap() = Some(acceptor);
    }

    /// Drops every connection (both sockets of each closed at once) and closes the port, so
    /// new connections are refused; returns once all of them are gone.
    pub async fn cut(&self) {
        let acceptor = self.acceptor.lock().unwrap().take();
        if let Some(acceptor) = acceptor {
            acceptor.abort();
            let _ = acceptor.await;
        }
        let connections: Vec<JoinHandle<()>> =
            std::mem::take(&mut *self.connections.lock().unwrap());
        for c in &connections {
            c.abort();
        }
        for c in connections {
            let _ = c.await;
        }
    }

    /// Listens again on the same port.
    pub fn restore(&self) {
        assert!(self.acceptor.lock().unwrap().is_none(), "the proxy is up");
        self.serve(listen(self.addr));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(a) = self.acceptor.lock().unwrap().take() {
            a.abort();
        }
        for c in self.connections.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}
