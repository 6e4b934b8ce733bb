//! Compile-time behaviour of `#[derive(Lstm)]` and `#[derive(Model)]`, checked with trybuild.
//!
//! - `ui/attr/`: malformed `#[lstm(..)]` attributes and structs the derive rejects;
//! - `ui/shape/`: shape mismatches in user code, which must be type errors (trybuild checks with
//!   `cargo check`, which never evaluates post-monomorphization constants);
//! - `ui/model/`: `#[derive(Model)]`'s errors: its attributes, structs it rejects, layers that
//!   do not fit together (one error, on the receiving field);
//! - `ui/weights/`: compile-time weights' errors (`weights = ".."`): every way a file can fail to
//!   fit, each a compile error naming the file (and the tensor), never a macro panic. trybuild
//!   compiles the cases in `target/tests/trybuild/lstm`, so their paths go up to the repository
//!   (`../../../../tests/ui/weights/..`): they run only with the default target directory;
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
    // The size limit's case needs a file over 256 MiB: a sparse one, made here and removed after.
    let huge =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/weights/huge.safetensors");
    let _removed = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(_) => {
            println!("skipped: tests/ui/weights (their paths assume the default target directory)");
            None
        }
        None => {
            let file = std::fs::File::create(&huge).unwrap();
            file.set_len((256 << 20) + 1).unwrap();
            cases.compile_fail("tests/ui/weights/*.rs");
            cases.pass("tests/ui/weights/pass/*.rs");
            Some(RemoveOnDrop(huge))
        }
    };
    cases.pass("tests/ui/pass/*.rs");
    drop(cases); // runs the cases, while the sparse file exists
}

/// Removes a file when dropped, even if the cases failed.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
