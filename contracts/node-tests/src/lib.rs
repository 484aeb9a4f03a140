//! ink_e2e tests live in `tests/`; run them with `cargo test -p node-tests --features e2e-tests`.
