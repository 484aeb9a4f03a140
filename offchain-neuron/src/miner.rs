//! The miner: serves a trained CNN on the digits route of an axon.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

use crate::axon::{self, AxonConfig, AxonHandle, CancelToken, Handler, HandlerError};
use crate::model::{Backend, Classifier, load_model};
use crate::peers::PeerDirectory;
use crate::task::digits::{DigitsChallenge, DigitsResponse, PIXELS};
use crate::wire::Hotkey;

/// Images per forward pass; the cancel token is checked between chunks.
const CHUNK: usize = 64;

/// Answers digits challenges with a classifier.
pub struct DigitsHandler {
    classifier: Mutex<Classifier>,
    backend: Backend,
}

impl DigitsHandler {
    pub fn new(classifier: Classifier, backend: Backend) -> Self {
        Self {
            classifier: Mutex::new(classifier),
            backend,
        }
    }
}

impl Handler for DigitsHandler {
    fn route(&self) -> &'static str {
        "digits"
    }

    fn handle(&self, body: &[u8], cancel: &CancelToken) -> Result<Vec<u8>, HandlerError> {
        let challenge: DigitsChallenge = serde_json::from_slice(body)
            .map_err(|e| HandlerError::BadRequest(format!("not a digits challenge: {e}")))?;
        let pixels = challenge.decode().map_err(HandlerError::BadRequest)?;
        let model = self.classifier.lock().expect("model lock").clone();
        let mut probs = Vec::with_capacity(challenge.count);
        for chunk in pixels.chunks(CHUNK * PIXELS) {
            if cancel.is_cancelled() {
                return Err(HandlerError::Cancelled);
            }
            probs.extend(model.predict(chunk).into_iter().map(|p| p.to_vec()));
        }
        serde_json::to_vec(&DigitsResponse { probs })
            .map_err(|e| HandlerError::Internal(e.to_string()))
    }

    fn max_body_bytes(&self) -> usize {
        DigitsChallenge::max_json_bytes()
    }

    fn describe(&self) -> serde_json::Value {
        let size = self.classifier.lock().expect("model lock").size();
        serde_json::json!({ "task": "digits", "model_size": size, "backend": self.backend })
    }
}

/// Everything `neuron miner` needs.
pub struct MinerOptions {
    pub model: PathBuf,
    pub backend: Backend,
    pub hotkey: Hotkey,
    pub bind: IpAddr,
    pub port: u16,
    pub axon: AxonConfig,
}

/// Loads the model, warms it up and starts the axon. Returns once it is accepting connections.
pub async fn start(opts: MinerOptions, directory: Arc<dyn PeerDirectory>) -> Result<AxonHandle> {
    let (model, backend) = (opts.model.clone(), opts.backend);
    let (classifier, meta) = tokio::task::spawn_blocking(move || -> Result<_> {
        let (c, meta) = load_model(&model, backend.device()?)?;
        // Warm-up: the first forward pass compiles kernels on wgpu and allocates on flex.
        let _ = c.predict(&vec![0u8; PIXELS]);
        Ok((c, meta))
    })
    .await??;
    tracing::info!(
        size = %classifier.size(),
        backend = %opts.backend,
        heldout_accuracy = meta.as_ref().map(|m| m.heldout_accuracy),
        "model loaded from {}",
        opts.model.display()
    );
    match axon::conn::raise_fd_limit() {
        Ok(n) => tracing::info!(open_files = n, "open-file limit"),
        Err(e) => tracing::warn!("could not raise the open-file limit: {e}"),
    }
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(opts.bind, opts.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}:{} (port in use? try another --port)",
                opts.bind, opts.port
            )
        })?;
    let handler = Arc::new(DigitsHandler::new(classifier, opts.backend));
    axon::serve(listener, opts.hotkey, opts.axon, handler, directory)
}
