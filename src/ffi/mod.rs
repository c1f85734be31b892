//! The C ABI: `extern "C"` adapters over [`crate::Engine`], no domain logic.
