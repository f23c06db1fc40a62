//! rivalguard against Debian's real Pacemaker 2.1.5 daemons, each scenario
//! on its own private corosync + Pacemaker in its own namespaces (see
//! scripts/pacemaker-ns.sh and harness.rs), and the `rivalguard` CLI
//! against them. Needs root, corosync and pacemaker (`make check` installs
//! them). A custom harness: scenarios run one after the other, each timed,
//! each torn down (also on failure), and the host's /run, /dev/shm,
//! /var/lib/pacemaker and /var/log/pacemaker are compared before and after
//! each one.
//!
//!   cargo test --features cli --test pacemaker [-- FILTER...]
//!
//! The binary is also its own helper (squatter, queue filler, start-up
//! check through the C ABI, CPG rival): `helper-*` arguments, run inside
//! the namespaces.

#[path = "../../src/bin/rivalguard/cpg.rs"]
mod cpg;
#[macro_use]
mod harness;
mod cli;
mod helpers;
#[path = "../../src/bin/rivalguard/identity.rs"]
mod identity;
mod scenarios;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

type Scenario = (&'static str, fn());

const SCENARIOS: &[Scenario] = &[
    (
        "scenario1_nine_endpoints_authentic",
        scenarios::nine_endpoints_authentic,
    ),
    ("scenario2_second_instance", scenarios::second_instance),
    ("scenario3_squatter_attrd", scenarios::squatter_attrd),
    (
        "scenario3_squatter_pacemakerd",
        scenarios::squatter_pacemakerd,
    ),
    ("scenario3_squatter_cib_rw", scenarios::squatter_cib_rw),
    ("scenario4_full_queue", scenarios::full_queue),
    (
        "scenario5_rival_in_attrd_group",
        scenarios::rival_in_attrd_group,
    ),
    ("cli_errors", cli::errors),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a.starts_with("helper-")) {
        helpers::run(&args);
    }
    // libtest-compatible enough for `cargo test -- --list` and filters.
    if args.iter().any(|a| a == "--list") {
        for (name, _) in SCENARIOS {
            println!("{name}: test");
        }
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let selected: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();

    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("pacemaker tests: need root (namespaces, corosync, Pacemaker); skipped");
        std::process::exit(1);
    }
    for program in [
        "/usr/sbin/pacemakerd",
        "/usr/sbin/corosync",
        "/usr/sbin/crmadmin",
    ] {
        if !std::path::Path::new(program).exists() {
            eprintln!(
                "pacemaker tests: {program} missing: apt-get install pacemaker pacemaker-cli-utils corosync"
            );
            std::process::exit(1);
        }
    }

    println!("running {} Pacemaker scenarios", selected.len());
    let mut failed = Vec::new();
    let mut timings = Vec::new();
    for (name, scenario) in selected {
        println!("scenario {name} ...");
        let before = harness::host_snapshot();
        let start = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(scenario));
        let elapsed = start.elapsed();
        let (changes, foreign): (Vec<String>, Vec<String>) =
            harness::host_changes(&before, &harness::host_snapshot())
                .into_iter()
                .partition(|change| harness::is_ours(change));
        let ok = result.is_ok() && changes.is_empty();
        for change in &changes {
            println!("    HOST CHANGED: {change}");
        }
        for change in &foreign {
            println!(
                "    (host: {change} -- not Pacemaker's or corosync's: another process; ignored)"
            );
        }
        println!(
            "scenario {name} ... {} ({:.2}s)",
            if ok { "ok" } else { "FAILED" },
            elapsed.as_secs_f64()
        );
        timings.push((name, elapsed, ok));
        if !ok {
            failed.push(*name);
        }
    }
    println!("\ntimings:");
    for (name, elapsed, ok) in &timings {
        println!(
            "  {name:<40} {:>6.2}s {}",
            elapsed.as_secs_f64(),
            if *ok { "ok" } else { "FAILED" }
        );
    }
    if failed.is_empty() {
        println!("\ntest result: ok. {} passed", timings.len());
    } else {
        println!(
            "\ntest result: FAILED. {} passed; {} failed: {}",
            timings.len() - failed.len(),
            failed.len(),
            failed.join(", ")
        );
        std::process::exit(101);
    }
}
