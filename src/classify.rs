//! Pacemaker-compatible stateless leave classification (being written).
