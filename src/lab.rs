//! The lesson runner machinery (being written).
