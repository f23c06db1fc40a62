//! libqb IPC endpoint pre-check (being written: see issue 3).
