//! The 64-bit Arm instruction sets: NEON, an [`Entry`](super::Entry).

mod neon;

pub(super) use neon::Neon;
