//! The Wi-Fi connection as each OS tells it: the adapter, whether its radio
//! is on, the network it is connected to, the signal, its IPv4 addresses
//! and DNS servers. Read by running the OS's own tools (parse.rs holds the
//! parsers, tested on recorded outputs):
//!
//! - Windows: `netsh wlan show interfaces`; addresses and DNS servers from
//!   the network facts (`GetAdaptersAddresses`), by adapter name.
//! - Linux: NetworkManager's `nmcli` (device state, connection, addresses,
//!   DNS; the network in use with its signal; the radio switch).
//! - macOS: `networksetup` (the Wi-Fi device and its power) and
//!   `system_profiler SPAirPortDataType` (network name, signal in dBm);
//!   addresses and DNS servers from the network facts. macOS 14.4 and
//!   later hide the network's name from programs without location access.

pub mod parse;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use crate::cancel::Cancel;
use crate::process::{ToolFailure, run_tool};

/// Whether the adapter is connected to a network.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Link {
    Connected,
    #[default]
    Disconnected,
    /// In between (associating, authenticating, getting an address…), as the OS says it.
    Other(String),
}

/// One Wi-Fi adapter's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WifiState {
    /// Its name (`Wi-Fi`, `wlp2s0`, `en0`).
    pub adapter: Option<String>,
    /// The radio is on (`None`: the OS did not say).
    pub enabled: Option<bool>,
    pub link: Link,
    /// The network's name, when the OS tells it.
    pub ssid: Option<String>,
    /// NetworkManager's connection profile (often the network's name).
    pub connection: Option<String>,
    /// Signal quality, 0–100 %.
    pub signal: Option<u8>,
    pub ipv4: Vec<Ipv4Addr>,
    pub dns: Vec<IpAddr>,
}

/// Why the state could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The tool that tells is not installed (`nmcli` without NetworkManager).
    NoProgram(String),
    /// It ran and failed, or did not finish in time.
    Failed(String),
}

const MAX_OUTPUT: usize = 1 << 20;

fn tool(argv: &[&str], deadline: Instant, cancel: &Cancel) -> Result<String, ReadError> {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let program = argv[0].clone();
    if which::which(&program).is_err() {
        return Err(ReadError::NoProgram(program));
    }
    run_tool(argv, Vec::new(), MAX_OUTPUT, deadline, cancel)
        .map(|(out, _)| out)
        .map_err(|ToolFailure { code, said }| match code {
            Some(code) => ReadError::Failed(format!("`{program}` exited with {code}: {said}")),
            None => ReadError::Failed(said),
        })
}

/// Every Wi-Fi adapter of this machine (empty: none).
pub fn read(deadline: Instant, cancel: &Cancel) -> Result<Vec<WifiState>, ReadError> {
    imp::read(deadline, cancel)
}

/// Addresses and DNS servers from the network facts, for the OSes whose
/// Wi-Fi tool does not print them.
#[cfg(any(windows, target_os = "macos"))]
fn add_addresses(states: &mut [WifiState]) {
    let facts = crate::netfacts::cached();
    for s in states {
        if let Some(i) = facts
            .interfaces
            .iter()
            .find(|i| Some(&i.name) == s.adapter.as_ref())
        {
            s.ipv4 = parse::ipv4_of(&i.addresses);
        }
        s.dns = facts.dns_servers.clone();
    }
}

#[cfg(windows)]
mod imp {
    use super::*;

    pub fn read(deadline: Instant, cancel: &Cancel) -> Result<Vec<WifiState>, ReadError> {
        let out = tool(&["netsh", "wlan", "show", "interfaces"], deadline, cancel);
        // Without the WLAN AutoConfig service (no Wi-Fi hardware, or a
        // server), netsh says so and exits 1.
        let text = match out {
            Err(ReadError::Failed(m)) if m.contains("wlansvc") => return Ok(Vec::new()),
            other => other?,
        };
        let mut states = parse::netsh(&text);
        add_addresses(&mut states);
        Ok(states)
    }
}

#[cfg(target_os = "macos")]
mod imp {
    use super::*;

    pub fn read(deadline: Instant, cancel: &Cancel) -> Result<Vec<WifiState>, ReadError> {
        let ports = tool(&["networksetup", "-listallhardwareports"], deadline, cancel)?;
        let devices = parse::macos_wifi_devices(&ports);
        if devices.is_empty() {
            return Ok(Vec::new());
        }
        let profile =
            tool(&["system_profiler", "SPAirPortDataType"], deadline, cancel).unwrap_or_default();
        let mut states = Vec::new();
        for dev in devices {
            let power = tool(
                &["networksetup", "-getairportpower", &dev],
                deadline,
                cancel,
            )
            .ok()
            .and_then(|t| parse::macos_power(&t));
            let (ssid, signal) = parse::macos_profile(&profile, &dev);
            states.push(WifiState {
                adapter: Some(dev),
                enabled: power,
                link: if signal.is_some() || ssid.is_some() {
                    Link::Connected
                } else {
                    Link::Disconnected
                },
                ssid,
                signal,
                ..WifiState::default()
            });
        }
        add_addresses(&mut states);
        Ok(states)
    }
}

#[cfg(not(any(windows, target_os = "macos")))]
mod imp {
    use super::*;

    pub fn read(deadline: Instant, cancel: &Cancel) -> Result<Vec<WifiState>, ReadError> {
        let fields =
            "GENERAL.DEVICE,GENERAL.TYPE,GENERAL.STATE,GENERAL.CONNECTION,IP4.ADDRESS,IP4.DNS";
        let shown = tool(
            &["nmcli", "-t", "-f", fields, "device", "show"],
            deadline,
            cancel,
        )?;
        let mut states = parse::nmcli_devices(&shown);
        if states.is_empty() {
            return Ok(states);
        }
        let radio = tool(&["nmcli", "radio", "wifi"], deadline, cancel)
            .ok()
            .and_then(|t| parse::nmcli_radio(&t));
        let list = tool(
            &[
                "nmcli",
                "-t",
                "-f",
                "IN-USE,SSID,SIGNAL,DEVICE",
                "device",
                "wifi",
                "list",
                "--rescan",
                "no",
            ],
            deadline,
            cancel,
        )
        .unwrap_or_default();
        let in_use = parse::nmcli_in_use(&list);
        for s in &mut states {
            if radio == Some(false) {
                s.enabled = Some(false);
            }
            if let Some((_, ssid, signal)) = in_use
                .iter()
                .find(|(dev, _, _)| Some(dev) == s.adapter.as_ref())
            {
                s.ssid = Some(ssid.clone()).filter(|v| !v.is_empty());
                s.signal = *signal;
            }
        }
        Ok(states)
    }
}
