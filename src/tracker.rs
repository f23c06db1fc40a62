//! PID-aware tracker (being written).
