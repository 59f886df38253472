//! `wifi`: the Wi-Fi adapter is there and switched on, connected (to the
//! expected network), with a usable signal, an address from DHCP (not a
//! self-assigned 169.254.x.x one) and DNS servers. The state comes from
//! the [`crate::wifi`] engine (netsh, nmcli, networksetup).

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::report::{Measurement, Status};
use crate::wifi::{Link, ReadError, WifiState};

/// Keys of a `wifi` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct WifiStep {
    /// The adapter to check (`Wi-Fi`, `wlp2s0`, `en0`; templated). Default
    /// (or empty): the first connected Wi-Fi adapter, else the first one.
    pub interface: Option<String>,
    /// The network (SSID) it should be connected to (templated; empty: any).
    pub ssid: Option<String>,
    /// Warn below this signal quality, 0–100 % (default 40).
    pub warn_signal: Option<u8>,
    /// Fail below this signal quality, 0–100 % (default 15).
    pub fail_signal: Option<u8>,
}

const DEFAULT_WARN: u8 = 40;
const DEFAULT_FAIL: u8 = 15;

impl super::Reasons for WifiStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "no_adapter",
            "no Wi-Fi adapter (or none of the given name): missing, or its driver is",
        ),
        (
            "disabled",
            "the adapter's radio is off (a switch, a key, airplane mode, or the setting)",
        ),
        (
            "not_connected",
            "Wi-Fi is on but not connected to a network",
        ),
        (
            "wrong_network",
            "connected, but to another network than `ssid`",
        ),
        ("no_address", "connected, but without an IPv4 address"),
        (
            "self_assigned",
            "connected, but with only a self-assigned address (169.254.x.x): no answer from DHCP",
        ),
        ("no_dns", "connected, but no DNS server is set"),
        (
            "weak_signal",
            "the signal is below `warn_signal`/`fail_signal`",
        ),
        (
            "no_program",
            "the OS tool that tells is missing (`nmcli`: the machine does not use NetworkManager)",
        ),
        ("error", "the OS tool failed (see the message)"),
    ];
}

impl WifiStep {
    fn limits(&self) -> (u8, u8) {
        (
            self.warn_signal.unwrap_or(DEFAULT_WARN),
            self.fail_signal.unwrap_or(DEFAULT_FAIL),
        )
    }

    /// The adapter to judge: the named one, else the first connected, else the first.
    fn pick<'a>(&self, states: &'a [WifiState]) -> Option<&'a WifiState> {
        match self.interface.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => states.iter().find(|s| {
                s.adapter
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(name))
            }),
            None => states
                .iter()
                .find(|s| s.link == Link::Connected)
                .or_else(|| states.first()),
        }
    }

    /// The verdict on what the OS said (pure: tested on parsed states).
    pub fn judge(&self, read: Result<Vec<WifiState>, ReadError>) -> Evaluation {
        let states = match read {
            Ok(s) => s,
            Err(ReadError::NoProgram(p)) => {
                return Evaluation::problem(
                    Status::Error,
                    "no_program",
                    format!("`{p}` is not installed: the Wi-Fi state cannot be read here"),
                );
            }
            Err(ReadError::Failed(m)) => {
                return Evaluation::problem(Status::Error, "error", m);
            }
        };
        let Some(s) = self.pick(&states) else {
            let names: Vec<&str> = states.iter().filter_map(|s| s.adapter.as_deref()).collect();
            let wanted = self.interface.as_deref().filter(|n| !n.trim().is_empty());
            let message = match (wanted, names.is_empty()) {
                (_, true) => "this computer has no Wi-Fi adapter (or its driver is missing)".into(),
                (Some(n), false) => format!(
                    "no Wi-Fi adapter named `{n}` (there is {})",
                    names.join(", ")
                ),
                (None, false) => "no Wi-Fi adapter".into(),
            };
            return Evaluation::problem(Status::Fail, "no_adapter", message);
        };
        let name = s.adapter.as_deref().unwrap_or("Wi-Fi");
        if s.enabled == Some(false) {
            return Evaluation::problem(
                Status::Fail,
                "disabled",
                format!("Wi-Fi is turned off on {name} (the radio is off)"),
            );
        }
        match &s.link {
            Link::Connected => {}
            Link::Disconnected => {
                return Evaluation::problem(
                    Status::Fail,
                    "not_connected",
                    format!("Wi-Fi is on but {name} is not connected to a network"),
                );
            }
            Link::Other(state) => {
                return Evaluation::problem(
                    Status::Fail,
                    "not_connected",
                    format!("{name} is not connected yet ({state})"),
                );
            }
        }
        let network = s.ssid.as_deref().or(s.connection.as_deref());
        let on = network.map_or_else(
            || "a network (the OS does not tell its name)".to_string(),
            |n| format!("`{n}`"),
        );
        let wanted = self.ssid.as_deref().filter(|n| !n.is_empty());
        if let (Some(want), Some(got)) = (wanted, network)
            && want != got
        {
            return Evaluation::problem(
                Status::Fail,
                "wrong_network",
                format!("{name} is connected to `{got}`, not to `{want}`"),
            );
        }
        if s.ipv4.is_empty() {
            return Evaluation::problem(
                Status::Fail,
                "no_address",
                format!("{name} is connected to {on} but has no IPv4 address"),
            );
        }
        if s.ipv4.iter().all(crate::wifi::parse::self_assigned) {
            return Evaluation::problem(
                Status::Fail,
                "self_assigned",
                format!(
                    "{name} is connected to {on} but has only the self-assigned address {}: the network's DHCP server did not answer",
                    s.ipv4[0]
                ),
            );
        }
        if s.dns.is_empty() {
            return Evaluation::problem(
                Status::Fail,
                "no_dns",
                format!("{name} is connected to {on} but no DNS server is set"),
            );
        }
        let addresses: Vec<String> = s.ipv4.iter().map(ToString::to_string).collect();
        let dns: Vec<String> = s.dns.iter().map(ToString::to_string).collect();
        let signal = s
            .signal
            .map_or(String::new(), |q| format!(", signal {q} %"));
        let mut e = Evaluation::new(
            Status::Pass,
            format!(
                "{name} is connected to {on}{signal}, address {}, DNS {}",
                addresses.join(", "),
                dns.join(", ")
            ),
        );
        if let Some(q) = s.signal {
            let (warn, fail) = self.limits();
            let mut m = Measurement::new("signal", f64::from(q), "%");
            m.warn = Some(f64::from(warn));
            m.fail = Some(f64::from(fail));
            e.measurements.push(m);
            let weak = |status, limit| {
                Evaluation::problem(
                    status,
                    "weak_signal",
                    format!(
                        "{name} is connected to {on} but the signal is weak: {q} % (below {limit} %)"
                    ),
                )
            };
            if q < fail {
                e = Evaluation {
                    measurements: e.measurements,
                    ..weak(Status::Fail, fail)
                };
            } else if q < warn {
                e = Evaluation {
                    measurements: e.measurements,
                    ..weak(Status::Warn, warn)
                };
            }
        }
        e
    }
}

impl Check for WifiStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        self.judge(crate::wifi::read(ctx.deadline, ctx.cancel))
    }

    fn describe(&self) -> String {
        let which = self.interface.as_deref().unwrap_or("the Wi-Fi adapter");
        match &self.ssid {
            Some(ssid) => {
                format!("checks that {which} is on, connected to `{ssid}`, with an address and DNS")
            }
            None => format!("checks that {which} is on and connected, with an address and DNS"),
        }
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(20)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let (warn, fail) = self.limits();
        let mut out = Vec::new();
        for (key, value) in [("warn_signal", warn), ("fail_signal", fail)] {
            if value > 100 {
                out.push(FieldProblem {
                    key,
                    message: format!("`{key}` is {value}, above 100 %"),
                    hint: Some("a signal quality from 0 to 100, e.g. 40".into()),
                });
            }
        }
        if fail > warn {
            out.push(FieldProblem {
                key: "fail_signal",
                message: format!("`fail_signal` ({fail}) is above `warn_signal` ({warn})"),
                hint: Some("fail at the weaker signal, warn at the stronger".into()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(toml: &str) -> WifiStep {
        toml::from_str(toml).unwrap()
    }

    fn good() -> WifiState {
        WifiState {
            adapter: Some("wlan0".into()),
            enabled: Some(true),
            link: Link::Connected,
            ssid: Some("Office".into()),
            connection: None,
            signal: Some(70),
            ipv4: vec!["192.168.1.5".parse().unwrap()],
            dns: vec!["192.168.1.1".parse().unwrap()],
        }
    }

    fn reason(step: &WifiStep, s: WifiState) -> (Status, Option<&'static str>) {
        let e = step.judge(Ok(vec![s]));
        (e.status, e.reason)
    }

    #[test]
    fn each_way_wifi_goes_wrong() {
        let s = step("");
        assert_eq!(reason(&s, good()), (Status::Pass, None));
        let e = s.judge(Ok(vec![good()]));
        assert!(
            e.message
                .contains("wlan0 is connected to `Office`, signal 70 %"),
            "{}",
            e.message
        );
        assert_eq!(s.judge(Ok(vec![])).reason, Some("no_adapter"));
        let named = step("interface = \"wlp2s0\"");
        let e = named.judge(Ok(vec![good()]));
        assert!(
            e.message
                .contains("no Wi-Fi adapter named `wlp2s0` (there is wlan0)"),
            "{}",
            e.message
        );
        let cases: Vec<(WifiState, Status, &str)> = vec![
            (
                WifiState {
                    enabled: Some(false),
                    ..good()
                },
                Status::Fail,
                "disabled",
            ),
            (
                WifiState {
                    link: Link::Disconnected,
                    ..good()
                },
                Status::Fail,
                "not_connected",
            ),
            (
                WifiState {
                    link: Link::Other("authenticating".into()),
                    ..good()
                },
                Status::Fail,
                "not_connected",
            ),
            (
                WifiState {
                    ipv4: vec![],
                    ..good()
                },
                Status::Fail,
                "no_address",
            ),
            (
                WifiState {
                    ipv4: vec!["169.254.3.4".parse().unwrap()],
                    ..good()
                },
                Status::Fail,
                "self_assigned",
            ),
            (
                WifiState {
                    dns: vec![],
                    ..good()
                },
                Status::Fail,
                "no_dns",
            ),
            (
                WifiState {
                    signal: Some(30),
                    ..good()
                },
                Status::Warn,
                "weak_signal",
            ),
            (
                WifiState {
                    signal: Some(10),
                    ..good()
                },
                Status::Fail,
                "weak_signal",
            ),
        ];
        for (state, status, code) in cases {
            assert_eq!(reason(&s, state.clone()), (status, Some(code)), "{state:?}");
        }
        let office = step("ssid = \"Office\"");
        assert_eq!(reason(&office, good()), (Status::Pass, None));
        let wrong = WifiState {
            ssid: Some("Cafe".into()),
            ..good()
        };
        assert_eq!(
            reason(&office, wrong),
            (Status::Fail, Some("wrong_network"))
        );
        assert_eq!(
            s.judge(Err(ReadError::NoProgram("nmcli".into()))).reason,
            Some("no_program")
        );
    }

    #[test]
    fn signal_thresholds_are_checked_at_load() {
        let facts = Facts::gather();
        assert_eq!(
            step("warn_signal = 120").validate(&facts)[0].key,
            "warn_signal"
        );
        assert_eq!(
            step("warn_signal = 20\nfail_signal = 30").validate(&facts)[0].key,
            "fail_signal"
        );
        assert!(step("").validate(&facts).is_empty());
    }
}
