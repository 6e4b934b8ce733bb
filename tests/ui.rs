//! Compile-time behaviour of `#[derive(Lstm)]` and `#[derive(Model)]`, checked with trybuild.
//!
//! - `ui/attr/`: malformed `#[lstm(..)]` attributes and structs the derive rejects;
//! - `ui/shape/`: shape mismatches in user code, which must be type errors (trybuild checks with
//!   `cargo check`, which never evaluates post-monomorphization constants);
//! - `ui/model/`: `#[derive(Model)]`'s errors: its attributes, structs it rejects, layers that
//!   do not fit together (one error, on the receiving field);
//! - `ui/pass/`: code that must compile, including hygiene cases.
//!
//! Each case opens with a few lines saying what it checks. The `.stderr` files are rustc's exact
//! output, which changes between compiler versions, so this test runs only on the toolchain they
//! were written with (Rust 1.95 stable, the version CI uses). To regenerate them after a
//! deliberate change: `TRYBUILD=overwrite cargo test --test ui`, then read the diff.

#[rustversion::attr(
    not(all(stable, since(1.95), before(1.96))),
    ignore = "the .stderr files are rustc 1.95's output"
)]
#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/attr/*.rs");
    cases.compile_fail("tests/ui/shape/*.rs");
    cases.compile_fail("tests/ui/model/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
