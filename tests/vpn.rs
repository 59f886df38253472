//! The shipped `vpn` playbook: a stand-in client (a copy of `sleep` under
//! a unique name), `lo` or a missing interface as the tunnel, loopback as
//! the company host, and a private mount namespace whose resolv.conf names
//! a DNS server that is not there. Each cause is concluded with words for
//! the user.
#![cfg(target_os = "linux")]

mod common;

use std::net::TcpListener;

use common::{NamedProcess, Test};

fn unique() -> String {
    format!("vpnc{}", std::process::id())
}

fn vars(client: &str, tunnel: &str, name: &str, port: u16) -> Vec<String> {
    let mut args: Vec<String> = ["run", "vpn", "--format", "json"]
        .map(String::from)
        .to_vec();
    for v in [
        format!("vpn_client={client}"),
        format!("tunnel={tunnel}"),
        format!("intranet_name={name}"),
        "intranet_host=127.0.0.1".into(),
        format!("intranet_port={port}"),
    ] {
        args.extend(["--var".into(), v]);
    }
    args
}

fn cause(args: &[String]) -> (String, serde_json::Value) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let json = Test::new().args(&args).run().json();
    (common::concluded(&json), json)
}

#[test]
fn each_way_the_vpn_fails_is_concluded() {
    let name = unique();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let closed = common::closed_port();

    // No client running.
    let (id, json) = cause(&vars(&format!("{name}x"), "lo", "localhost", open));
    assert_eq!(
        id, "client-not-running",
        "{}",
        json["playbooks"][0]["steps"]
    );

    let _client = NamedProcess::idle(&name);
    // All well: the client runs, the "tunnel" (lo) is there, names resolve, the host answers.
    let (id, json) = cause(&vars(&name, "lo", "localhost", open));
    assert_eq!(id, "", "{}", json["conclusions"]);
    assert_eq!(
        json["conclusions"][0]["summary"],
        "No problem found: every check ended well."
    );
    // The client runs but no tunnel.
    let (id, _) = cause(&vars(&name, "supportctl-no-tun0", "localhost", open));
    assert_eq!(id, "not-connected");
    // Connected, but the company host does not answer.
    let (id, _) = cause(&vars(&name, "lo", "localhost", closed));
    assert_eq!(id, "company-unreachable");
    drop(listener);
}

/// Connected, but company names do not resolve: the resolv.conf the run
/// sees names a DNS server that is not there.
#[test]
fn company_names_that_do_not_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let name = unique() + "d";
    let _client = NamedProcess::idle(&name);
    let conf = dir.path().join("resolv.conf");
    std::fs::write(
        &conf,
        "nameserver 127.0.0.78\noptions timeout:1 attempts:1\n",
    )
    .unwrap();
    let args = vars(
        &name,
        "lo",
        "intranet.supportctl.test",
        common::closed_port(),
    );
    let setup = format!("mount --bind '{}' /etc/resolv.conf", conf.display());
    let Some(json) = common::in_namespace(&["-m", "--propagation", "private"], &setup, &args, &[])
    else {
        return;
    };
    let dns = common::step_of(&json, "intranet-dns");
    assert_eq!(dns["status"], "fail", "{dns}");
    assert_eq!(
        json["conclusions"][0]["id"], "company-dns",
        "{}",
        json["conclusions"]
    );
}
