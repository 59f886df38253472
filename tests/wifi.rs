//! The `wifi` kind and the shipped `wifi` playbook on Linux, against a
//! stand-in `nmcli` printing recorded NetworkManager output: no adapter,
//! radio off (turned on by the fix), not connected, the wrong network, a
//! self-assigned address (renewed by the fix), no DNS, a weak signal, and
//! no NetworkManager at all. Each cause is concluded with words for the user.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};

use common::Test;

const CONNECTED: &str = "GENERAL.DEVICE:wlp0s20f3\nGENERAL.TYPE:wifi\nGENERAL.STATE:100 (connected)\n\
GENERAL.CONNECTION:Office\nIP4.ADDRESS[1]:192.168.1.23/24\nIP4.DNS[1]:192.168.1.1\n\n\
GENERAL.DEVICE:enp0s31f6\nGENERAL.TYPE:ethernet\nGENERAL.STATE:20 (unavailable)\nGENERAL.CONNECTION:\n\n\
GENERAL.DEVICE:lo\nGENERAL.TYPE:loopback\nGENERAL.STATE:100 (connected (externally))\nGENERAL.CONNECTION:lo\nIP4.ADDRESS[1]:127.0.0.1/8\n";

const LIST: &str = " :Neighbour\\: 2.4:80:wlp0s20f3\n*:Office:72:wlp0s20f3\n :Cafe:22:wlp0s20f3\n";

/// A machine's NetworkManager as files the stand-in `nmcli` prints: `show`
/// (device show), `list` (wifi list), `radio`; `after` replaces `show`
/// when a fix runs (`radio wifi on`, `device connect`), and each fix run
/// leaves a line in `ran`.
struct Machine {
    _dir: tempfile::TempDir,
    state: PathBuf,
    path: String,
}

impl Machine {
    fn new(show: &str, list: &str, radio: &str, after: Option<&str>) -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&state).unwrap();
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(state.join("show"), show).unwrap();
        std::fs::write(state.join("list"), list).unwrap();
        std::fs::write(state.join("radio"), radio).unwrap();
        if let Some(after) = after {
            std::fs::write(state.join("after"), after).unwrap();
        }
        let s = state.display();
        let script = format!(
            r#"#!/bin/sh
fix() {{ echo "$*" >> '{s}/ran'; [ -f '{s}/after' ] && cp '{s}/after' '{s}/show'; true; }}
case "$*" in
  "-t -f GENERAL.DEVICE,GENERAL.TYPE,GENERAL.STATE,GENERAL.CONNECTION,IP4.ADDRESS,IP4.DNS device show") cat '{s}/show' ;;
  "-t -f IN-USE,SSID,SIGNAL,DEVICE device wifi list --rescan no") cat '{s}/list' ;;
  "radio wifi") cat '{s}/radio' ;;
  "radio wifi on") echo enabled > '{s}/radio'; fix "$@" ;;
  "-t -f DEVICE,TYPE device") echo wlp0s20f3:wifi; echo enp0s31f6:ethernet ;;
  "device connect wlp0s20f3") fix "$@"; echo "Device 'wlp0s20f3' successfully activated." ;;
  *) echo "nmcli stand-in: unexpected $*" >&2; exit 2 ;;
esac
"#
        );
        let nmcli = bin.join("nmcli");
        std::fs::write(&nmcli, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&nmcli, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!("{}:/usr/bin:/bin", bin.display());
        Machine {
            _dir: dir,
            state,
            path,
        }
    }

    fn ran(&self) -> String {
        std::fs::read_to_string(self.state.join("ran")).unwrap_or_default()
    }

    fn run(&self, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["run", "wifi", "--format", "json"];
        args.extend(extra);
        let json = Test::new().env("PATH", &self.path).args(&args).run().json();
        common::concluded(&json);
        json
    }
}

fn cause(json: &serde_json::Value) -> String {
    common::concluded(json)
}

fn step(json: &serde_json::Value) -> &serde_json::Value {
    &json["playbooks"][0]["steps"][0]
}

fn with(show: &str) -> String {
    CONNECTED.replacen(
        "GENERAL.STATE:100 (connected)\nGENERAL.CONNECTION:Office\nIP4.ADDRESS[1]:192.168.1.23/24\nIP4.DNS[1]:192.168.1.1\n",
        show,
        1,
    )
}

#[test]
fn a_good_connection_is_no_problem() {
    let m = Machine::new(CONNECTED, LIST, "enabled\n", None);
    let json = m.run(&["--var", "ssid=Office"]);
    assert_eq!(cause(&json), "", "{}", json["conclusions"]);
    assert_eq!(
        json["conclusions"][0]["summary"],
        "No problem found: every check ended well."
    );
    let msg = step(&json)["message"].as_str().unwrap();
    assert!(
        msg.contains(
            "wlp0s20f3 is connected to `Office`, signal 72 %, address 192.168.1.23, DNS 192.168.1.1"
        ),
        "{msg}"
    );
}

#[test]
fn each_problem_is_concluded() {
    let cases: Vec<(String, &str, &str, &[&str])> = vec![
        (
            CONNECTED
                .split("\n\n")
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n\n"),
            LIST,
            "no-adapter",
            &[],
        ),
        (
            with("GENERAL.STATE:30 (disconnected)\nGENERAL.CONNECTION:\n"),
            "",
            "not-connected",
            &[],
        ),
        (
            CONNECTED.into(),
            LIST,
            "wrong-network",
            &["--var", "ssid=Lab"],
        ),
        (
            with(
                "GENERAL.STATE:100 (connected)\nGENERAL.CONNECTION:Office\nIP4.ADDRESS[1]:192.168.1.23/24\n",
            ),
            LIST,
            "no-dns",
            &[],
        ),
        (
            CONNECTED.into(),
            "*:Office:9:wlp0s20f3\n",
            "weak-signal",
            &[],
        ),
    ];
    for (show, list, want, extra) in cases {
        let m = Machine::new(&show, list, "enabled\n", None);
        let json = m.run(extra);
        assert_eq!(cause(&json), want, "{}", step(&json));
    }
}

#[test]
fn wifi_switched_off_is_previewed_then_turned_on() {
    let off = with("GENERAL.STATE:20 (unavailable)\nGENERAL.CONNECTION:\n");
    let m = Machine::new(&off, "", "disabled\n", Some(CONNECTED));
    let json = m.run(&["--dry-run"]);
    assert_eq!(cause(&json), "wifi-off");
    assert_eq!(step(&json)["reason"], "disabled");
    let fixes = json["conclusions"][0]["fixes"].to_string();
    assert!(fixes.contains("radio-on-linux"), "{fixes}");
    assert_eq!(m.ran(), "", "a dry run turns nothing on");

    let json = m.run(&[]);
    assert_eq!(m.ran(), "radio wifi on\n");
    assert_eq!(cause(&json), "wifi-off");
    assert_eq!(
        json["conclusions"][0]["cleared"], true,
        "{}",
        json["conclusions"]
    );
    assert_eq!(step(&json)["status"], "fixed", "{}", step(&json));
    assert_eq!(json["exit_code"], 0);
}

#[test]
fn a_self_assigned_address_is_renewed() {
    let apipa = with(
        "GENERAL.STATE:100 (connected)\nGENERAL.CONNECTION:Office\nIP4.ADDRESS[1]:169.254.37.12/16\n",
    );
    let m = Machine::new(&apipa, LIST, "enabled\n", Some(CONNECTED));
    let json = m.run(&[]);
    assert_eq!(cause(&json), "no-dhcp");
    assert_eq!(step(&json)["reason"], "self_assigned");
    assert!(
        step(&json)["message"]
            .as_str()
            .unwrap()
            .contains("fixed by cause `no-dhcp`'s fix `renew-linux`"),
        "{}",
        step(&json)
    );
    assert_eq!(m.ran(), "device connect wlp0s20f3\n");
    assert_eq!(json["conclusions"][0]["cleared"], true);

    // Still no address after renewing: the cause stands.
    let m = Machine::new(&apipa, LIST, "enabled\n", None);
    let json = m.run(&[]);
    assert_eq!(cause(&json), "no-dhcp");
    assert_eq!(json["conclusions"][0]["cleared"], false);
    assert_eq!(step(&json)["status"], "fail");
}

#[test]
fn without_network_manager_the_state_is_unknown() {
    let empty = tempfile::tempdir().unwrap();
    let path = format!("{}", Path::new(empty.path()).display());
    let json = Test::new()
        .env("PATH", &path)
        .args(&["run", "wifi", "--format", "json"])
        .run()
        .json();
    assert_eq!(step(&json)["status"], "error");
    assert_eq!(step(&json)["reason"], "no_program");
}
