//! Issue 5's compile-time goal: a crate with 100 derived specs against the same crate with none,
//! each rebuilt in a debug build once its dependencies are built (so the figure is what the
//! derives add to the user's own crate, not the cost of building `lstm`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Specs in the crate that has them.
pub(crate) const SPECS: usize = 100;

/// Median seconds to rebuild each crate.
pub(crate) struct CompileTime {
    pub(crate) without: f64,
    pub(crate) with: f64,
}

/// Writes the two crates under `bench/target/compile-time`, builds their dependencies, then
/// rebuilds each crate `runs` times in turn after touching its source.
pub(crate) fn measure(runs: usize) -> Result<CompileTime, String> {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = bench.join("target").join("compile-time");
    write_crates(&root, &bench.join(".."))?;
    cargo(&root, &["build", "--quiet", "--workspace"])?;
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (name, times) in ["without", "with"].into_iter().zip(&mut times) {
            let source = root.join(name).join("src").join("lib.rs");
            std::fs::File::options()
                .append(true)
                .open(&source)
                .and_then(|file| file.set_modified(std::time::SystemTime::now()))
                .map_err(|error| format!("touch {}: {error}", source.display()))?;
            let start = Instant::now();
            cargo(
                &root,
                &["build", "--quiet", "--package", &format!("specs-{name}")],
            )?;
            times.push(start.elapsed().as_secs_f64());
        }
    }
    let [without, with] = times.map(|mut times| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    });
    Ok(CompileTime { without, with })
}

/// A workspace of two library crates using `lstm` from `repository`, with its lock file.
fn write_crates(root: &Path, repository: &Path) -> Result<(), String> {
    let write = |path: PathBuf, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap_or(root))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|error| format!("write {}: {error}", path.display()))
    };
    write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"with\", \"without\"]\nresolver = \"3\"\n",
    )?;
    let lock = std::fs::read_to_string(repository.join("Cargo.lock"))
        .map_err(|error| format!("read Cargo.lock: {error}"))?;
    write(root.join("Cargo.lock"), &lock)?;
    let repository = repository
        .canonicalize()
        .map_err(|error| format!("{}: {error}", repository.display()))?;
    for name in ["with", "without"] {
        let manifest = format!(
            "[package]\nname = \"specs-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\nlstm = {{ path = {:?} }}\n",
            repository.display().to_string()
        );
        write(root.join(name).join("Cargo.toml"), &manifest)?;
    }
    // Sizes vary, as a real crate's would: inputs 1..=100, hidden 8..=128.
    let mut specs = String::from("//! 100 derived LSTM specs.\n\nuse lstm::Lstm;\n");
    for k in 0..SPECS {
        let (input, hidden) = (k + 1, 8 * (k % 16) + 8);
        let _ = write!(
            specs,
            "\n/// Spec {k}.\n#[derive(Lstm)]\n#[lstm(input = {input}, hidden = {hidden})]\n\
             pub struct Spec{k};\n"
        );
    }
    write(root.join("with").join("src").join("lib.rs"), &specs)?;
    write(
        root.join("without").join("src").join("lib.rs"),
        "//! No specs.\n\n/// Something to compile.\npub fn nothing() {}\n",
    )?;
    Ok(())
}

/// Runs cargo (the one running the benchmark) in `root`, debug profile.
fn cargo(root: &Path, arguments: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(arguments)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .status()
        .map_err(|error| format!("cargo: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed: {status}", arguments.join(" ")))
    }
}
