//! Pure domain crate (being built).
