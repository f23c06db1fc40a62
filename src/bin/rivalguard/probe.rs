//! `rivalguard probe`: who serves libqb endpoints.

use std::time::Duration;

use clap::ArgMatches;
use rivalguard::endpoint::{self, EndpointState, ProbeOptions};
use serde_json::{Value, json};

use crate::identity::{self, PACEMAKER_ENDPOINTS};
use crate::{EXIT_ALERT, EXIT_ERROR, EXIT_OK, Failure};

/// The identity an endpoint's server is checked against.
#[derive(Clone, Copy, Debug)]
struct Reference {
    uid: u32,
    gid: u32,
}

/// One probed endpoint.
struct Row {
    name: String,
    reference: Reference,
    expected_process: Option<&'static str>,
    outcome: Result<endpoint::Probe, i32>,
}

fn state_name(state: EndpointState) -> &'static str {
    match state {
        EndpointState::Absent => "absent",
        EndpointState::Authentic => "authentic",
        EndpointState::Unauthorized => "unauthorized",
        EndpointState::Unresponsive => "unresponsive",
    }
}

fn parse_user(spec: &str) -> Result<(u32, u32), Failure> {
    if let Some((uid, gid)) = identity::user_by_name(spec) {
        return Ok((uid, gid));
    }
    let uid: u32 = spec
        .parse()
        .map_err(|_| Failure(format!("unknown user {spec:?}")))?;
    // A numeric uid: its primary group when it has a passwd entry.
    let gid = identity::user_name(uid)
        .and_then(|name| identity::user_by_name(&name))
        .map_or(uid, |(_, gid)| gid);
    Ok((uid, gid))
}

fn parse_group(spec: &str) -> Result<u32, Failure> {
    if let Some(gid) = identity::group_by_name(spec) {
        return Ok(gid);
    }
    spec.parse()
        .map_err(|_| Failure(format!("unknown group {spec:?}")))
}

fn id_text(id: u32, name: Option<String>) -> String {
    match name {
        Some(name) => format!("{id}({name})"),
        None => id.to_string(),
    }
}

fn reference_text(reference: Reference) -> String {
    let user = identity::user_name(reference.uid).unwrap_or_else(|| reference.uid.to_string());
    let group = identity::group_name(reference.gid).unwrap_or_else(|| reference.gid.to_string());
    format!("{user}:{group}")
}

fn errno_text(code: i32) -> String {
    std::io::Error::from_raw_os_error(code).to_string()
}

pub fn run(args: &ArgMatches) -> Result<u8, Failure> {
    let mut names: Vec<String> = Vec::new();
    if args.get_flag("pacemaker") {
        names.extend(PACEMAKER_ENDPOINTS.iter().map(|e| e.name.to_owned()));
    }
    if let Some(given) = args.get_many::<String>("names") {
        for name in given {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    if names.is_empty() {
        return Err(Failure(
            "nothing to probe: give endpoint names or --pacemaker (see rivalguard probe --help)"
                .into(),
        ));
    }

    let user = args
        .get_one::<String>("user")
        .map(|u| parse_user(u))
        .transpose()?;
    let group = args
        .get_one::<String>("group")
        .map(|g| parse_group(g))
        .transpose()?;
    let overridden = match (user, group) {
        (None, None) => None,
        (Some((uid, gid)), group) => Some(Reference {
            uid,
            gid: group.unwrap_or(gid),
        }),
        (None, Some(gid)) => Some(Reference { uid: 0, gid }),
    };
    let options = ProbeOptions {
        timeout: args
            .get_one::<u32>("timeout")
            .map(|ms| Duration::from_millis(u64::from(*ms))),
        strict: args.get_flag("strict"),
        ..ProbeOptions::default()
    };

    let mut rows = Vec::with_capacity(names.len());
    for name in names {
        let known = identity::pacemaker_endpoint(&name);
        let reference = match (overridden, known) {
            (Some(reference), _) => reference,
            (None, Some(endpoint)) => {
                let (uid, gid) = identity::reference_ids(endpoint.owner).ok_or_else(|| {
                    Failure(format!(
                        "user {} does not exist, so {name}'s reference identity is unknown \
                         (is Pacemaker installed? or pass --user)",
                        identity::DAEMON_USER
                    ))
                })?;
                Reference { uid, gid }
            }
            (None, None) => Reference { uid: 0, gid: 0 },
        };
        let outcome = endpoint::probe_with(name.as_bytes(), reference.uid, reference.gid, &options);
        rows.push(Row {
            expected_process: known.map(|e| e.daemon),
            name,
            reference,
            outcome,
        });
    }

    if args.get_flag("json") {
        print_json(&rows);
    } else {
        print_table(&rows);
    }

    let alert = rows.iter().any(|row| {
        matches!(
            row.outcome,
            Ok(endpoint::Probe {
                state: EndpointState::Unauthorized | EndpointState::Unresponsive,
                ..
            })
        )
    });
    let error = rows.iter().any(|row| row.outcome.is_err());
    Ok(if alert {
        EXIT_ALERT
    } else if error {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

fn print_table(rows: &[Row]) {
    let mut lines: Vec<[String; 7]> = vec![[
        "ENDPOINT".into(),
        "STATE".into(),
        "PID".into(),
        "PROCESS".into(),
        "UID(USER)".into(),
        "GID(GROUP)".into(),
        "EXPECTED".into(),
    ]];
    for row in rows {
        let expected = reference_text(row.reference);
        let dash = || "-".to_owned();
        lines.push(match &row.outcome {
            Ok(probe) => {
                let creds = probe.credentials;
                [
                    row.name.clone(),
                    state_name(probe.state).into(),
                    creds.map_or_else(dash, |c| c.pid.to_string()),
                    creds
                        .and_then(|c| identity::process_name(c.pid))
                        .unwrap_or_else(dash),
                    creds.map_or_else(dash, |c| id_text(c.uid, identity::user_name(c.uid))),
                    creds.map_or_else(dash, |c| id_text(c.gid, identity::group_name(c.gid))),
                    expected,
                ]
            }
            Err(code) => [
                row.name.clone(),
                format!("error: {}", errno_text(*code)),
                dash(),
                dash(),
                dash(),
                dash(),
                expected,
            ],
        });
    }
    let mut widths = [0usize; 7];
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for line in &lines {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            if i + 1 == line.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        println!("{}", text.trim_end());
    }
}

fn print_json(rows: &[Row]) {
    let mut endpoints = Vec::with_capacity(rows.len());
    let mut ok = true;
    for row in rows {
        let reference = json!({
            "uid": row.reference.uid,
            "user": identity::user_name(row.reference.uid),
            "gid": row.reference.gid,
            "group": identity::group_name(row.reference.gid),
        });
        let entry: Value = match &row.outcome {
            Ok(probe) => {
                let creds = probe.credentials;
                if matches!(
                    probe.state,
                    EndpointState::Unauthorized | EndpointState::Unresponsive
                ) {
                    ok = false;
                }
                json!({
                    "endpoint": row.name,
                    "state": state_name(probe.state),
                    "pid": creds.map(|c| c.pid),
                    "process": creds.and_then(|c| identity::process_name(c.pid)),
                    "uid": creds.map(|c| c.uid),
                    "user": creds.and_then(|c| identity::user_name(c.uid)),
                    "gid": creds.map(|c| c.gid),
                    "group": creds.and_then(|c| identity::group_name(c.gid)),
                    "reference": reference,
                    "expected_process": row.expected_process,
                })
            }
            Err(code) => {
                ok = false;
                json!({
                    "endpoint": row.name,
                    "state": "error",
                    "error": errno_text(*code),
                    "errno": code,
                    "reference": reference,
                    "expected_process": row.expected_process,
                })
            }
        };
        endpoints.push(entry);
    }
    let document = json!({ "ok": ok, "endpoints": endpoints });
    println!(
        "{}",
        serde_json::to_string_pretty(&document).unwrap_or_else(|_| document.to_string())
    );
}
