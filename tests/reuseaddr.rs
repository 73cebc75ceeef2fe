//! The `reuseaddr` lesson (notes §6): the same six steps with the notes' C servers and
//! with the Rust twins give the same results, and those results are what the lesson
//! teaches (checked on the C, the oracle).

use std::path::Path;

use pretty_assertions::assert_eq;
use socklab::lab::build::{Builds, CFlavor};
use socklab::lab::kernel::TcpState;
use socklab::lab::lessons;
use socklab::lab::process::describe;
use socklab::lab::reuseaddr::{self, Outcome};
use socklab::lab::run::{Lang, Quiet};

fn run(server: Lang) -> Outcome {
    let builds = Builds::beside(Path::new(env!("CARGO_BIN_EXE_lesson")).parent().unwrap());
    let lesson = lessons::find("reuseaddr").unwrap();
    reuseaddr::run(
        lesson,
        &builds,
        server,
        Lang::C,
        CFlavor::Plain,
        &mut Quiet,
        None,
    )
    .unwrap_or_else(|e| panic!("reuseaddr with {server} servers: {e}"))
}

/// The steps' results, without the ports (which differ from run to run).
fn summary(o: &Outcome) -> Vec<String> {
    let states = |entries: &[socklab::lab::kernel::SocketEntry]| -> String {
        entries
            .iter()
            .map(|e| e.state.name())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let failed = |(status, stderr): &(std::process::ExitStatus, String)| {
        format!("{}: {stderr:?}", describe(*status))
    };
    vec![
        format!("1 after the plain server: {}", states(&o.after_plain)),
        format!("2 plain restart: {}", failed(&o.plain_restart)),
        format!("3 SO_REUSEADDR over plain: {}", failed(&o.reuse_over_plain)),
        format!(
            "4 after the SO_REUSEADDR server: {}",
            states(&o.after_reuse)
        ),
        format!("5 SO_REUSEADDR restart: {}", o.reuse_restart.state.name()),
        format!("6 second listener: {}", failed(&o.second_listener)),
    ]
}

#[test]
fn c_and_rust_servers_meet_the_same_kernel_rules() {
    let c = run(Lang::C);
    let rust = run(Lang::Rust);
    assert_eq!(summary(&c), summary(&rust));

    // What the lesson teaches, as the C shows it.
    let in_use = (
        "exited with status 255".to_string(),
        "bind: Address already in use\n".to_string(),
    );
    let failed = |r: &(std::process::ExitStatus, String)| (describe(r.0), r.1.clone());
    assert!(
        c.after_plain.iter().any(|e| e.state == TcpState::TIME_WAIT),
        "TIME_WAIT"
    );
    assert_eq!(failed(&c.plain_restart), in_use);
    assert_eq!(
        failed(&c.reuse_over_plain),
        in_use,
        "both sockets need SO_REUSEADDR"
    );
    assert!(
        c.after_reuse.iter().any(|e| e.state == TcpState::TIME_WAIT),
        "TIME_WAIT"
    );
    assert_eq!(c.reuse_restart.state, TcpState::LISTEN);
    assert_eq!(c.reuse_restart.local.1, c.reuse_port);
    assert_eq!(failed(&c.second_listener), in_use, "never two listeners");
}
