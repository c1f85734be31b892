//! The performance guard (docs/benchmarks.md "Performance guard"): counts the instructions,
//! the pages written and the fsyncs of a few scenarios and compares them with the committed
//! baselines in `benches/guard/baselines.json`. Run it with `scripts/perf-guard.sh`.
//!
//! `perf-guard [--baselines FILE] [--only NAME]`: builds each scenario's store natively,
//! then runs its measured call in a child under `valgrind --tool=callgrind
//! --collect-atstart=no --toggle-collect=*measured_NAME*`; fails when a figure is more than
//! 10 % above its baseline (slower) or more than 10 % below it (lower the baseline: a
//! ratchet). `--rebaseline [--reason TEXT]` writes the measured figures instead.
//! `perf-guard child NAME FIXTURE WORKDIR` is the child: one measured call, its counters
//! printed as one JSON line. With `HEARKEN_PERF_PROFILES=DIR`, each scenario's callgrind
//! profile is kept as `DIR/callgrind.NAME.out` (read it with `callgrind_annotate`), and the
//! store it ran on as `DIR/NAME-fixture.db` (as it was before the measured call).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde::{Deserialize, Serialize};

mod counters;
mod scenarios;

use scenarios::{GuardResult, SCENARIOS};

/// Allowed drift either way, in percent.
const TOLERANCE_PERCENT: f64 = 10.0;

/// The committed file: versions measured with, and each scenario's figures.
#[derive(Debug, Serialize, Deserialize)]
struct Baselines {
    /// How to read and renew the file.
    note: String,
    /// Why the figures last changed (given with `--rebaseline --reason`).
    reason: String,
    /// The toolchain the figures were measured with; another one re-baselines.
    versions: Versions,
    scenarios: BTreeMap<String, Figures>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Versions {
    rustc: String,
    sqlite: String,
    valgrind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Figures {
    /// Instructions executed inside the measured call (callgrind, Ir).
    instructions: u64,
    /// Bytes passed to write(2)/pwrite(2) during the call, in 4 KiB pages (rounded up).
    pages_written: u64,
    /// fsync(2) and fdatasync(2) calls during the call.
    fsyncs: u64,
}

/// What the child prints.
#[derive(Debug, Serialize, Deserialize)]
struct ChildOutput {
    pages_written: u64,
    fsyncs: u64,
    did: String,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = if args.first().map(String::as_str) == Some("child") {
        child(&args[1..]).map(|()| true)
    } else {
        guard(&args)
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("perf-guard: {e}");
            ExitCode::from(2)
        }
    }
}

/// The child: copy the fixture, set the scenario up, then the measured call alone.
fn child(args: &[String]) -> GuardResult<()> {
    let [name, fixture, work] = args else {
        return Err("usage: perf-guard child NAME FIXTURE WORKDIR".into());
    };
    let db = Path::new(work).join(format!("{name}.db"));
    fs::copy(fixture, &db)?;
    let ready = scenarios::setup(name, &db)?;
    let before = counters::Counters::now()?;
    let did = scenarios::run(name, &ready)?;
    let after = counters::Counters::now()?;
    let out = ChildOutput {
        pages_written: (after.written_bytes - before.written_bytes).div_ceil(4096),
        fsyncs: after.fsyncs - before.fsyncs,
        did,
    };
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

struct Options {
    baselines: PathBuf,
    rebaseline: bool,
    reason: Option<String>,
    only: Option<String>,
    jobs: usize,
}

fn parse(args: &[String]) -> GuardResult<Options> {
    let mut o = Options {
        baselines: Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/guard/baselines.json"),
        rebaseline: false,
        reason: None,
        only: None,
        jobs: 2,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rebaseline" => o.rebaseline = true,
            "--reason" => o.reason = Some(it.next().ok_or("--reason needs a text")?.clone()),
            "--jobs" => {
                o.jobs = it
                    .next()
                    .and_then(|j| j.parse().ok())
                    .filter(|j| *j > 0)
                    .ok_or("--jobs needs a number")?;
            }
            "--baselines" => o.baselines = it.next().ok_or("--baselines needs a file")?.into(),
            "--only" => {
                let name = it.next().ok_or("--only needs a scenario")?;
                if !SCENARIOS.contains(&name.as_str()) {
                    return Err(format!("unknown scenario {name}; one of {SCENARIOS:?}").into());
                }
                o.only = Some(name.clone());
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: perf-guard [--rebaseline [--reason TEXT]] \
                     [--baselines FILE] [--only NAME] [--jobs N]"
                )
                .into());
            }
        }
    }
    Ok(o)
}

/// The first line of `program --version`-like output.
fn version_of(program: &str, arg: &str) -> GuardResult<String> {
    let out = Command::new(program)
        .arg(arg)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("").trim().to_owned())
}

fn versions() -> GuardResult<Versions> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    Ok(Versions {
        rustc: version_of(&rustc, "--version")?,
        sqlite: format!("SQLite {}", rusqlite::version()),
        valgrind: version_of("valgrind", "--version")?,
    })
}

/// Runs every scenario and compares (or re-baselines). `Ok(false)`: a figure is out of
/// its band.
fn guard(args: &[String]) -> GuardResult<bool> {
    let o = parse(args)?;
    let versions = versions()?;
    let exe = std::env::current_exe()?;
    let work = tempfile::tempdir()?;
    let names: Vec<&str> = SCENARIOS
        .iter()
        .copied()
        .filter(|n| o.only.as_deref().is_none_or(|only| only == *n))
        .collect();
    // Two at a time (the instruction counts do not depend on it), longest first.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(BTreeMap::new());
    let failed = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..o.jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(name) = names.get(i) else { break };
                    match run_one(&exe, name, work.path()) {
                        Ok(figures) => {
                            results
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .insert((*name).to_owned(), figures);
                        }
                        Err(e) => failed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(format!("{name}: {e}")),
                    }
                }
            });
        }
    });
    let failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    if !failed.is_empty() {
        return Err(failed.join("\n").into());
    }
    let measured = results.into_inner().unwrap_or_else(|e| e.into_inner());

    let committed: Option<Baselines> = match fs::read_to_string(&o.baselines) {
        Ok(text) => Some(
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", o.baselines.display()))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };

    if o.rebaseline {
        let mut scenarios = committed
            .as_ref()
            .filter(|b| b.versions == versions)
            .map(|b| b.scenarios.clone())
            .unwrap_or_default();
        scenarios.extend(measured.iter().map(|(k, v)| (k.clone(), *v)));
        let file = Baselines {
            note: "Written by `scripts/perf-guard.sh --rebaseline --reason TEXT`; checked by \
                   `scripts/perf-guard.sh` (scripts/test.sh). Do not edit by hand: see \
                   docs/benchmarks.md \"Performance guard\"."
                .to_owned(),
            reason: o
                .reason
                .clone()
                .unwrap_or_else(|| "(no reason given)".to_owned()),
            versions: versions.clone(),
            scenarios,
        };
        fs::write(&o.baselines, serde_json::to_string_pretty(&file)? + "\n")?;
        print_table(&measured, None);
        println!(
            "perf-guard: baselines written to {} ({}, {}, {}); commit them with the change \
             and its reason",
            o.baselines.display(),
            versions.rustc,
            versions.sqlite,
            versions.valgrind
        );
        return Ok(true);
    }

    let Some(committed) = committed else {
        print_table(&measured, None);
        println!(
            "perf-guard: FAIL: no baselines at {}; run scripts/perf-guard.sh --rebaseline",
            o.baselines.display()
        );
        return Ok(false);
    };
    if committed.versions != versions {
        print_table(&measured, None);
        println!(
            "\n!!! perf-guard: NOT COMPARED: the baselines were measured with\n!!!   {} / {} / \
             {}\n!!! and this machine has\n!!!   {} / {} / {}\n!!! Instruction counts \
             differ between toolchains, so the figures above are the new reference:\n!!! run \
             `scripts/perf-guard.sh --rebaseline --reason \"toolchain update\"` and commit \
             benches/guard/baselines.json.\n!!! Passing this time.",
            committed.versions.rustc,
            committed.versions.sqlite,
            committed.versions.valgrind,
            versions.rustc,
            versions.sqlite,
            versions.valgrind
        );
        return Ok(true);
    }
    let failures = print_table(&measured, Some(&committed.scenarios));
    if failures.is_empty() {
        println!(
            "perf-guard: pass: every figure within {TOLERANCE_PERCENT} % of its baseline \
             ({}, {}, {})",
            versions.rustc, versions.sqlite, versions.valgrind
        );
        Ok(true)
    } else {
        println!("\nperf-guard: FAIL");
        for f in &failures {
            println!("  {f}");
        }
        println!(
            "A slower scenario is fixed, or its baseline raised in the same commit with the \
             reason: scripts/perf-guard.sh --rebaseline --reason \"why\". A faster one lowers \
             its baseline the same way, so the gain is kept."
        );
        Ok(false)
    }
}

/// Builds one scenario's store natively, then measures its call under callgrind.
fn run_one(exe: &Path, name: &str, work: &Path) -> GuardResult<Figures> {
    let fixture = work.join(format!("{name}-fixture.db"));
    let started = std::time::Instant::now();
    scenarios::build(name, &fixture).map_err(|e| format!("building the store: {e}"))?;
    let built = started.elapsed();
    let started = std::time::Instant::now();
    let (figures, did) = measure(exe, name, &fixture, work)?;
    println!(
        "{name}: {did} (store built natively in {:.1} s, measured under callgrind in {:.1} s)",
        built.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(figures)
}

/// One scenario's child under callgrind: its instruction count and counters.
fn measure(exe: &Path, name: &str, fixture: &Path, work: &Path) -> GuardResult<(Figures, String)> {
    let out_file = work.join(format!("callgrind.{name}.out"));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--collect-atstart=no")
        .arg(format!("--toggle-collect=*measured_{name}*"))
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(exe)
        .arg("child")
        .arg(name)
        .arg(fixture)
        .arg(work)
        .output()
        .map_err(|e| format!("cannot run valgrind: {e} (install valgrind)"))?;
    if !output.status.success() {
        return Err(format!(
            "{name}: the child failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().ok_or("the child printed nothing")?;
    let child: ChildOutput = serde_json::from_str(line)?;
    let profile = fs::read_to_string(&out_file)?;
    // For `callgrind_annotate`: where a scenario's instructions go; and the store it ran
    // on, as it was before the measured call (for `EXPLAIN QUERY PLAN` and counts).
    if let Some(dir) = std::env::var_os("HEARKEN_PERF_PROFILES") {
        fs::copy(
            &out_file,
            Path::new(&dir).join(format!("callgrind.{name}.out")),
        )?;
        fs::copy(fixture, Path::new(&dir).join(format!("{name}-fixture.db")))?;
    }
    let instructions = profile
        .lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .ok_or("no summary line in the callgrind output")?;
    if instructions == 0 {
        return Err(format!("{name}: callgrind counted nothing inside measured_{name}").into());
    }
    Ok((
        Figures {
            instructions,
            pages_written: child.pages_written,
            fsyncs: child.fsyncs,
        },
        child.did,
    ))
}

/// Prints the figures (against the baselines if given) and returns the failures.
fn print_table(
    measured: &BTreeMap<String, Figures>,
    baselines: Option<&BTreeMap<String, Figures>>,
) -> Vec<String> {
    let mut failures = Vec::new();
    println!(
        "\n{:<10} {:>44} {:>28} {:>22}",
        "scenario", "instructions", "pages written", "fsyncs"
    );
    for name in SCENARIOS {
        let Some(m) = measured.get(*name) else {
            continue;
        };
        let base = baselines.map(|b| b.get(*name).copied());
        let mut cells = Vec::new();
        for (what, now, width) in [
            ("instructions", m.instructions, 44),
            ("pages written", m.pages_written, 28),
            ("fsyncs", m.fsyncs, 22),
        ] {
            let cell = match base {
                None => group(now),
                Some(None) => {
                    failures.push(format!("{name}: no baseline (run --rebaseline)"));
                    format!("{} (no baseline)", group(now))
                }
                Some(Some(b)) => {
                    let was = match what {
                        "instructions" => b.instructions,
                        "pages written" => b.pages_written,
                        _ => b.fsyncs,
                    };
                    let change = if was == 0 {
                        if now == 0 { 0.0 } else { f64::INFINITY }
                    } else {
                        100.0 * (now as f64 - was as f64) / was as f64
                    };
                    let verdict = if change > TOLERANCE_PERCENT {
                        failures.push(format!(
                            "{name}: {what} {} is {change:+.1} % above the baseline {} \
                             (more than {TOLERANCE_PERCENT} %): slower",
                            group(now),
                            group(was)
                        ));
                        "SLOWER"
                    } else if change < -TOLERANCE_PERCENT {
                        failures.push(format!(
                            "{name}: {what} {} is {change:+.1} % below the baseline {} \
                             (more than {TOLERANCE_PERCENT} %): lower the baseline",
                            group(now),
                            group(was)
                        ));
                        "FASTER"
                    } else {
                        "ok"
                    };
                    format!("{} ({} {change:+.1} %) {verdict}", group(now), group(was))
                }
            };
            cells.push(format!("{cell:>width$}"));
        }
        println!("{name:<10} {}", cells.join(" "));
    }
    failures
}

/// 1234567 -> "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
