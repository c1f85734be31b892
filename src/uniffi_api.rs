//! The uniffi surface for Kotlin, Swift and Python: thin adapters over [`crate::Engine`].
