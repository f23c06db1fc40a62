//! C boundary of the classification (being written).
