//! The benchmark's output: tables, the goals of issue 5 checked against them, BENCHMARKS.md and
//! two charts (SVG, written by plotters).

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;

use crate::Scenario;
use crate::compile_time::{CompileTime, SPECS};

pub(crate) struct Report {
    pub(crate) peak_flops: f64,
    pub(crate) quick: bool,
    pub(crate) seconds: f64,
    pub(crate) scenarios: Vec<Scenario>,
    pub(crate) sweep: Vec<Scenario>,
    pub(crate) compile_time: Option<CompileTime>,
}

/// The CPU's model name from /proc/cpuinfo, as `bench/pytorch_bench.py` records it.
pub(crate) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn time_text(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} us", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Whether a row of ours stores its weights in half precision (bf16 or f16).
fn half_precision(name: &str) -> bool {
    name.ends_with("bf16 weights") || name.ends_with("f16 weights")
}

impl Scenario {
    /// Our fastest streaming (or batch) result with `f32` weights: what the scenario's bound
    /// models (one pass over the weights per step). A whole-sequence call reads the input
    /// weights once per block of steps, and the bf16 and f16 rows read half the bytes; each
    /// has its own goal.
    fn streaming(&self) -> f64 {
        self.results
            .iter()
            .filter(|(name, _)| {
                name.starts_with("lstm")
                    && !half_precision(name)
                    && !name.contains("whole sequence")
                    && !name.starts_with(crate::PARALLEL_ROW)
            })
            .map(|(_, ns)| *ns)
            .fold(f64::INFINITY, f64::min)
    }

    /// Our fastest result with `f32` weights in any mode, to compare with the peers' fastest
    /// (PyTorch's whole-sequence call among them).
    fn ours(&self) -> f64 {
        self.results
            .iter()
            .filter(|(name, _)| {
                name.starts_with("lstm")
                    && !half_precision(name)
                    && !name.starts_with(crate::PARALLEL_ROW)
            })
            .map(|(_, ns)| *ns)
            .fold(f64::INFINITY, f64::min)
    }

    /// The fastest peer and its time.
    fn best_peer(&self) -> Option<(&str, f64)> {
        self.results
            .iter()
            .filter(|(name, _)| !name.starts_with("lstm"))
            .map(|(name, ns)| (name.as_str(), *ns))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    fn weight_bytes(&self) -> f64 {
        let (input, hidden, _) = self.sizes;
        (4 * 4 * hidden * (input + hidden + 1)) as f64
    }

    fn flops(&self) -> f64 {
        let (input, hidden, batch) = self.sizes;
        2.0 * (4 * hidden * (input + hidden) * batch) as f64
    }

    fn table(&self) -> String {
        let mut text = format!(
            "### {}: {}\n\nBound {} per step (set by the {}; {:.2} MB of f32 weights read at \
             {:.0} GB/s measured for that size).\n\n\
             | implementation | time per step | x bound | x lstm (f32) |\n|---|---:|---:|---:|\n",
            self.name,
            self.description,
            time_text(self.bound_ns),
            self.bound_by,
            self.weight_bytes() / 1e6,
            self.bandwidth / 1e9
        );
        let ours = self.ours();
        for (name, ns) in &self.results {
            let _ = writeln!(
                text,
                "| {name} | {} | {:.2} | {:.2} |",
                time_text(*ns),
                ns / self.bound_ns,
                ns / ours
            );
        }
        text
    }
}

impl Report {
    pub(crate) fn table(&self) -> String {
        let mut text = format!(
            "FMA peak measured: {:.1} GFLOP/s. Medians of {} samples{}; run took {:.0} s.\n\n",
            self.peak_flops / 1e9,
            if self.quick { 5 } else { 15 },
            if self.quick { " (quick mode)" } else { "" },
            self.seconds
        );
        for scenario in &self.scenarios {
            text.push_str(&scenario.table());
            text.push('\n');
        }
        text.push_str("### Scaling sweep (input = hidden), ns per step\n\n");
        let names: Vec<&str> = self.sweep[0]
            .results
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        let _ = writeln!(
            text,
            "| hidden | parameters | bound | {} |",
            names.join(" | ")
        );
        let _ = writeln!(text, "|---:|---:|---:|{}", "---:|".repeat(names.len()));
        for row in &self.sweep {
            let (input, hidden, _) = row.sizes;
            let params = 4 * hidden * (input + hidden + 1);
            let cells: Vec<String> = row
                .results
                .iter()
                .map(|(_, ns)| format!("{ns:.0}"))
                .collect();
            let _ = writeln!(
                text,
                "| {hidden} | {params} | {:.0} | {} |",
                row.bound_ns,
                cells.join(" | ")
            );
        }
        text
    }

    /// Issue 5's goals, each with the measured figure and met or not.
    pub(crate) fn goals(&self) -> String {
        let find = |name: &str| self.scenarios.iter().find(|s| s.name == name);
        let mut lines = vec![
            "| goal | measured | met |".to_owned(),
            "|---|---|---|".to_owned(),
        ];
        let mut goal = |text: String, measured: String, met: bool| {
            lines.push(format!(
                "| {text} | {measured} | {} |",
                if met { "yes" } else { "no" }
            ));
        };
        for (name, limit) in [("S1", 1.10), ("S2", 1.5), ("S3", 1.15)] {
            if let Some(s) = find(name) {
                let ratio = s.streaming() / s.bound_ns;
                goal(
                    format!("{name} at most {limit:.2}x the bound"),
                    format!("{ratio:.2}x"),
                    ratio <= limit,
                );
            }
        }
        if let Some(s1) = find("S1") {
            let time = |suffix: &str| {
                s1.results
                    .iter()
                    .find(|(name, _)| name.starts_with("lstm packed") && name.ends_with(suffix))
                    .map(|(_, ns)| *ns)
            };
            let f32_time = s1.streaming();
            let ratios: Vec<(&str, f64)> = [("bf16", " bf16 weights"), ("f16", " f16 weights")]
                .into_iter()
                .filter_map(|(name, suffix)| Some((name, time(suffix)? / f32_time)))
                .collect();
            if let Some(best) = ratios.iter().map(|&(_, ratio)| ratio).reduce(f64::min) {
                let each: Vec<String> = ratios
                    .iter()
                    .map(|(name, ratio)| format!("{name} {ratio:.2}x"))
                    .collect();
                goal(
                    "S1 with half-precision (bf16 or f16) weights at most 0.6x the f32 time"
                        .to_owned(),
                    each.join(", "),
                    best <= 0.6,
                );
            }
        }
        if let Some(s3) = find("S3") {
            let ours = s3
                .results
                .iter()
                .find(|(name, _)| name.contains("whole sequence"));
            let theirs = s3
                .results
                .iter()
                .find(|(name, _)| name.starts_with("PyTorch nn.LSTM, whole"));
            if let (Some((_, ours)), Some((_, theirs))) = (ours, theirs) {
                goal(
                    "S3 whole-sequence call at least as fast as PyTorch's".to_owned(),
                    format!("{} vs {}", time_text(*ours), time_text(*theirs)),
                    ours <= theirs,
                );
            }
        }
        if let Some(s2) = find("S2") {
            let factor = s2.streaming() * 48_000.0 / 1e9;
            goal(
                "S2 real-time factor at 48 kHz <= 0.006".to_owned(),
                format!("{factor:.4}"),
                factor <= 0.006,
            );
        }
        for hidden in [20, 32, 40, 64] {
            let Some(amp) = find(&format!("amp H={hidden}")) else {
                continue;
            };
            let ratio = amp.streaming() / amp.bound_ns;
            goal(
                format!("amp H={hidden} (streamed) at most 1.50x the bound"),
                format!("{ratio:.2}x"),
                ratio <= 1.5,
            );
            if hidden == 40 {
                let factor = amp.streaming() * 48_000.0 / 1e9;
                goal(
                    "amp H=40 real-time factor at 48 kHz <= 0.005".to_owned(),
                    format!("{factor:.4}"),
                    factor <= 0.005,
                );
            }
        }
        if let Some(s4) = find("S4") {
            let fraction = s4.flops() / (s4.streaming() * 1e-9) / self.peak_flops;
            goal(
                "S4 at least 85% of the FMA peak".to_owned(),
                format!("{:.1}%", fraction * 100.0),
                fraction >= 0.85,
            );
        }
        if let Some(s4) = find("S4") {
            let threads = |count: &str| {
                s4.results
                    .iter()
                    .find(|(row, _)| row.starts_with(crate::PARALLEL_ROW) && row.ends_with(count))
                    .map(|(_, ns)| *ns)
            };
            if let (Some(one), Some(two)) = (threads(", 1 thread"), threads(", 2 threads")) {
                goal(
                    "S4: run_batch_parallel on 2 threads at least 1.8x as fast as on 1".to_owned(),
                    format!(
                        "{:.2}x ({} against {})",
                        one / two,
                        time_text(two),
                        time_text(one)
                    ),
                    one / two >= 1.8,
                );
            }
        }
        for name in ["S1", "S2", "S4"] {
            let Some(s) = find(name) else { continue };
            let default = s
                .results
                .iter()
                .find(|(row, _)| row.starts_with(crate::DEFAULT_ROW))
                .map(|(_, ns)| *ns);
            let best = s
                .results
                .iter()
                .filter(|(row, _)| row.starts_with("lstm packed") && !half_precision(row))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let (Some(default), Some((best_name, best))) = (default, best) {
                goal(
                    format!("{name}: the default type within 1.10x of the best packed kernel"),
                    format!(
                        "{:.2}x ({} against {best_name} {})",
                        default / best,
                        time_text(default),
                        time_text(*best)
                    ),
                    default / best <= 1.10,
                );
            }
        }
        // Issue 14: `Kernel::best()` (the default type) never slower than another kernel, in
        // every scenario and sweep size: the worst ratio of the default to the best forced one.
        let worst = self
            .scenarios
            .iter()
            .chain(&self.sweep)
            .filter_map(|s| {
                let default = s
                    .results
                    .iter()
                    .find(|(row, _)| row.starts_with(crate::DEFAULT_ROW))?
                    .1;
                let (best_name, best) = s
                    .results
                    .iter()
                    .filter(|(row, _)| row.starts_with("lstm packed") && !half_precision(row))
                    .min_by(|a, b| a.1.total_cmp(&b.1))?;
                Some((s.name.as_str(), default / best, best_name.as_str()))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((name, ratio, best_name)) = worst {
            goal(
                "the default type within 1.10x of the best kernel in every scenario and sweep size"
                    .to_owned(),
                format!("worst {ratio:.2}x ({name}, against {best_name})"),
                ratio <= 1.10,
            );
        }
        if let Some(CompileTime { without, with }) = self.compile_time {
            goal(
                format!(
                    "a crate with {SPECS} derived specs builds at most 3 s slower than one with none (debug)"
                ),
                format!(
                    "{:.2} s slower ({with:.2} s against {without:.2} s)",
                    with - without
                ),
                with - without <= 3.0,
            );
        }
        for s in &self.scenarios {
            if let Some((peer, ns)) = s.best_peer() {
                let ours = s.ours();
                goal(
                    format!("{} ahead of every peer", s.name),
                    format!(
                        "{} vs {peer} {} ({:.2}x)",
                        time_text(ours),
                        time_text(ns),
                        ns / ours
                    ),
                    ours < ns,
                );
            }
        }
        lines.join("\n")
    }

    /// BENCHMARKS.md at the repository root and the charts in bench/charts/.
    pub(crate) fn write(&self) -> Result<(), Box<dyn std::error::Error>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let charts = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
        std::fs::create_dir_all(&charts)?;
        self.scenario_chart(&charts.join("scenarios.svg"))?;
        self.sweep_chart(&charts.join("sweep.svg"))?;
        let cpu = cpu_model();
        let rustc = std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default();
        let cores = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1);
        let text = format!(
            "# Benchmarks\n\n\
             Written by the benchmark itself: `cargo run --release --manifest-path bench/Cargo.toml -- --write`\n\
             (add `--quick` for a run under 2 minutes). Every figure below comes from one run on one core;\n\
             ratios are between implementations measured side by side in that run. The bound of a scenario\n\
             is the larger of its FLOPs at the FMA peak and its weight bytes at the read bandwidth for a\n\
             working set of that size, both measured by the benchmark on this machine.\n\n\
             Machine: {cpu}, {cores} cores visible, {rustc}, default release build (no `-C target-cpu`;\n\
             `lstm default` is the type `Weights<Spec>` gives, which picks AVX-512, AVX2 or portable\n\
             code at run time; `lstm packed` rows force each kernel).\n\n\
             ## Goals (issue 5)\n\n{}\n\n\
             A streaming ratio below 1 to the bound means the read probe underestimated the\n\
             bandwidth for that working-set size: the LSTM step itself streamed its weights faster, so\n\
             there the bound is not a true limit. Steps that read their weights from L3 (S1, S3), and\n\
             the probe itself, vary from run to run on a shared machine, so the read probe behind each\n\
             scenario's bound, our best kernel's streaming step and its bf16 and f16 steps are sampled in turn\n\
             (medians of each), meeting the same load from the machine's other tenants; the FMA peak\n\
             is the best of 7 tries. The bound goals use our\n\
             streaming rows (one pass over the weights per step, as the bound models); `whole\n\
             sequence` rows are one `run` call, which hoists the input projection out of the recurrence\n\
             where that pays (the row says which it chose), and the `bf16 weights` and `f16 weights` rows\n\
             read half the bytes. PyTorch's rows come\n\
             from `bench/pytorch_bench.py` (one thread), run on this machine just before this one and\n\
             read from `bench/pytorch.json`. The compile-time row\n\
             rebuilds, in debug, a crate of 100 `#[derive(Lstm)]` specs and the same crate without\n\
             them, once their dependencies are built (medians of 5; `bench/src/compile_time.rs`).\n\n\
             {}\
             ## Charts\n\n![time over bound per scenario](bench/charts/scenarios.svg)\n\n\
             ![ns per step over the scaling sweep](bench/charts/sweep.svg)\n\n\
             ## Tables\n\n{}",
            self.goals(),
            limits(),
            self.table()
        );
        std::fs::write(root.join("BENCHMARKS.md"), text)?;
        Ok(())
    }

    fn implementations(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for scenario in self.scenarios.iter().chain(&self.sweep) {
            for (name, _) in &scenario.results {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }

    fn scenario_chart(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let names = self.implementations();
        let area = SVGBackend::new(path, (960, 540)).into_drawing_area();
        area.fill(&WHITE)?;
        let max = self
            .scenarios
            .iter()
            .flat_map(|s| s.results.iter().map(|(_, ns)| ns / s.bound_ns))
            .fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(&area)
            .caption(
                "Time per step over the roofline bound (1 = at the bound)",
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(
                0f64..self.scenarios.len() as f64,
                (0.5f64..max * 200.0).log_scale(),
            )?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc("x bound")
            .draw()?;
        // Each scenario's name above its group of bars.
        chart.draw_series(self.scenarios.iter().enumerate().map(|(index, s)| {
            Text::new(
                s.name.clone(),
                (
                    index as f64 + 0.42,
                    s.results
                        .iter()
                        .map(|(_, ns)| ns / s.bound_ns)
                        .fold(1.0, f64::max)
                        * 2.5,
                ),
                ("sans-serif", 18).into_font(),
            )
        }))?;
        let width = 0.8 / names.len() as f64;
        for (series, name) in names.iter().enumerate() {
            let color = Palette99::pick(series).to_rgba();
            let bars: Vec<_> = self
                .scenarios
                .iter()
                .enumerate()
                .filter_map(|(index, s)| {
                    let ns = s.results.iter().find(|(n, _)| n == name)?.1;
                    let x = index as f64 + 0.1 + series as f64 * width;
                    Some(Rectangle::new(
                        [(x, 0.5), (x + width * 0.9, ns / s.bound_ns)],
                        color.filled(),
                    ))
                })
                .collect();
            if bars.is_empty() {
                continue;
            }
            chart
                .draw_series(bars)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .draw()?;
        area.present()?;
        Ok(())
    }

    fn sweep_chart(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let names: Vec<String> = self.sweep[0]
            .results
            .iter()
            .map(|(name, _)| name.clone())
            .collect();
        let area = SVGBackend::new(path, (960, 540)).into_drawing_area();
        area.fill(&WHITE)?;
        let params = |s: &Scenario| {
            let (input, hidden, _) = s.sizes;
            (4 * hidden * (input + hidden + 1)) as f64
        };
        let x_range = params(&self.sweep[0]) * 0.7..params(&self.sweep[self.sweep.len() - 1]) * 1.4;
        let max = self
            .sweep
            .iter()
            .flat_map(|s| s.results.iter().map(|(_, ns)| *ns))
            .fold(1.0, f64::max);
        let min = self
            .sweep
            .iter()
            .map(|s| s.bound_ns)
            .fold(f64::INFINITY, f64::min);
        let mut chart = ChartBuilder::on(&area)
            .caption(
                "ns per step against parameter count (input = hidden, 8 to 1024)",
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x_range.log_scale(), (min * 0.5..max * 2.0).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("parameters")
            .y_desc("ns per step")
            .draw()?;
        let bound: Vec<(f64, f64)> = self.sweep.iter().map(|s| (params(s), s.bound_ns)).collect();
        chart
            .draw_series(LineSeries::new(bound, BLACK.stroke_width(2)))?
            .label("roofline bound")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        for (series, name) in names.iter().enumerate() {
            let color = Palette99::pick(series).to_rgba();
            let points: Vec<(f64, f64)> = self
                .sweep
                .iter()
                .filter_map(|s| Some((params(s), s.results.iter().find(|(n, _)| n == name)?.1)))
                .collect();
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .draw()?;
        area.present()?;
        Ok(())
    }
}

/// The section on what limits the goals not met: `bench/limits.md`, written by hand from the
/// probes' measurements (a benchmark run can mark a goal, not explain it), or nothing if the
/// file is missing.
fn limits() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("limits.md");
    match std::fs::read_to_string(path) {
        Ok(text) => format!(
            "## What limits the goals not met\n\n{}\n\n",
            text.trim_end()
        ),
        Err(_) => String::new(),
    }
}
