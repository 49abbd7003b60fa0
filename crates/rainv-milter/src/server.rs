//! The daemon: listening, a bounded number of connections, reloading on `SIGHUP`, draining on
//! `SIGTERM`.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use rainv_gateway::Policy;
use tokio::net::{TcpListener, UnixListener};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Semaphore;
use tokio_util::compat::TokioAsyncReadCompatExt;

use crate::config::{Listen, MilterConfig};
use crate::milter::RainvMilter;

/// What the milter works by: the gateway's policy and the milter's own settings.
#[derive(Debug)]
#[non_exhaustive]
pub struct Settings {
    /// The policy messages are judged against.
    pub policy: Policy,
    /// How the milter acts and within which bounds.
    pub config: MilterConfig,
}

impl Settings {
    /// Settings from a policy and the milter's configuration.
    pub fn new(policy: Policy, config: MilterConfig) -> Settings {
        Settings { policy, config }
    }
}

pub(crate) type SharedSettings = Arc<RwLock<Arc<Settings>>>;

/// How long in-flight connections may take to finish after `SIGTERM`, beyond the time one
/// message may take.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// Run the milter until `SIGTERM` or `SIGINT`. `load` gives the settings: at the start, and
/// again on each `SIGHUP` (a policy that fails to load is logged and the old one kept; the
/// listening address is kept until a restart).
pub fn run<L>(load: L) -> Result<(), String>
where
    L: Fn() -> Result<Settings, String> + Send + Sync + 'static,
{
    let settings = load()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("rainv-milter")
        .build()
        .map_err(|e| format!("could not start the runtime: {e}"))?;
    runtime.block_on(serve(settings, load))
}

enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

async fn bind(listen: &Listen) -> Result<Listener, String> {
    let failed = |e: std::io::Error| format!("cannot listen on {listen}: {e}");
    match listen {
        Listen::Inet(address) => Ok(Listener::Tcp(
            TcpListener::bind(address).await.map_err(failed)?,
        )),
        Listen::Unix(path) => {
            // A socket left by an earlier run is replaced; any other file is not touched.
            use std::os::unix::fs::FileTypeExt;
            if let Ok(meta) = std::fs::symlink_metadata(path)
                && meta.file_type().is_socket()
            {
                std::fs::remove_file(path).map_err(failed)?;
            }
            Ok(Listener::Unix(UnixListener::bind(path).map_err(failed)?))
        }
    }
}

async fn serve<L>(settings: Settings, load: L) -> Result<(), String>
where
    L: Fn() -> Result<Settings, String>,
{
    let listen = settings.config.listen.clone();
    let max_connections = settings.config.max_connections;
    let shared: SharedSettings = Arc::new(RwLock::new(Arc::new(settings)));
    let listener = bind(&listen).await?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    let slots = Arc::new(Semaphore::new(max_connections));
    eprintln!(
        "rainv-milter: listening on {listen} (pid {}, at most {max_connections} connections)",
        std::process::id()
    );
    let reload = || match load() {
        Ok(new) => {
            if new.config.listen != listen {
                eprintln!("rainv-milter: the listening address changes at the next start");
            }
            match shared.write() {
                Ok(mut current) => *current = Arc::new(new),
                Err(poisoned) => *poisoned.into_inner() = Arc::new(new),
            }
            eprintln!("rainv-milter: policy reloaded");
        }
        Err(e) => eprintln!("rainv-milter: policy not reloaded, the old one stays: {e}"),
    };
    loop {
        // A connection is accepted only with a free slot: beyond the limit, the MTA's
        // connections wait in the listening queue. Signals are heard while waiting for either.
        let permit = tokio::select! {
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            _ = hangup.recv() => {
                reload();
                continue;
            }
            permit = Arc::clone(&slots).acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
        let accepted = loop {
            tokio::select! {
                _ = terminate.recv() => break None,
                _ = interrupt.recv() => break None,
                _ = hangup.recv() => reload(),
                accepted = accept(&listener) => break Some(accepted),
            }
        };
        match accepted {
            None => break,
            Some(Ok(stream)) => {
                let settings = Arc::clone(&shared);
                tokio::spawn(async move {
                    let mut milter = RainvMilter::new(settings);
                    let mut server = miltr_server::Server::default_postfix(&mut milter);
                    let result = match stream {
                        Stream::Tcp(s) => server.handle_connection(&mut s.compat()).await,
                        Stream::Unix(s) => server.handle_connection(&mut s.compat()).await,
                    };
                    if let Err(e) = result {
                        eprintln!("rainv-milter: connection ended: {e}");
                    }
                    drop(permit);
                });
            }
            Some(Err(e)) => {
                eprintln!("rainv-milter: accepting a connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    // Draining: no new connections; those open may finish their message.
    drop(listener);
    if let Listen::Unix(path) = &listen {
        let _ = std::fs::remove_file(path);
    }
    let timeout = match shared.read() {
        Ok(current) => current.config.message_timeout,
        Err(poisoned) => poisoned.into_inner().config.message_timeout,
    } + DRAIN_GRACE;
    let total = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let in_flight = max_connections - slots.available_permits();
    eprintln!("rainv-milter: stopping; waiting for {in_flight} connection(s) to finish");
    match tokio::time::timeout(timeout, slots.acquire_many(total)).await {
        Ok(_) => eprintln!("rainv-milter: stopped"),
        Err(_) => eprintln!(
            "rainv-milter: stopped with connections still open after {} s",
            timeout.as_secs()
        ),
    }
    Ok(())
}

enum Stream {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

async fn accept(listener: &Listener) -> std::io::Result<Stream> {
    match listener {
        Listener::Tcp(l) => l.accept().await.map(|(s, _)| Stream::Tcp(s)),
        Listener::Unix(l) => l.accept().await.map(|(s, _)| Stream::Unix(s)),
    }
}
