//! C boundary of the endpoint pre-check (being written: see issue 3).
