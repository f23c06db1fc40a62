//! C boundary of the tracker (being written).
