//! Parsers for what each OS's Wi-Fi tools print, pure and tested against
//! recorded outputs: `netsh wlan show interfaces` (Windows), `nmcli`'s
//! terse output (Linux), `networksetup` and `system_profiler
//! SPAirPortDataType` (macOS).

use std::net::{IpAddr, Ipv4Addr};

use super::{Link, WifiState};

/// `key : value` lines of `netsh wlan show interfaces`, one interface per
/// block starting at `Name`. Continuation lines (a value under the previous
/// key, like `Software Off` under `Radio status`) join that key's value.
pub fn netsh(text: &str) -> Vec<WifiState> {
    let mut out: Vec<WifiState> = Vec::new();
    let mut last_key = String::new();
    for line in text.lines() {
        let (key, value) = match line.split_once(" : ") {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
            // `Radio status : Hardware On` followed by `   Software Off`.
            None if !line.trim().is_empty() && line.starts_with("    ") && !last_key.is_empty() => {
                (last_key.clone(), line.trim().to_string())
            }
            None => continue,
        };
        last_key = key.clone();
        if key == "name" {
            out.push(WifiState {
                adapter: Some(value),
                ..WifiState::default()
            });
            continue;
        }
        let Some(cur) = out.last_mut() else { continue };
        match key.as_str() {
            "state" => {
                cur.link = match value.to_ascii_lowercase().as_str() {
                    "connected" => Link::Connected,
                    "disconnected" => Link::Disconnected,
                    other => Link::Other(other.to_string()),
                }
            }
            "ssid" => cur.ssid = Some(value).filter(|v| !v.is_empty()),
            "signal" => cur.signal = value.trim_end_matches('%').trim().parse().ok(),
            "radio status" if value.to_ascii_lowercase().contains(" off") => {
                cur.enabled = Some(false);
            }
            _ => {}
        }
    }
    for s in &mut out {
        s.enabled.get_or_insert(true);
    }
    out
}

/// Splits one line of nmcli's terse output at unescaped colons (`\:` and
/// `\\` are a literal colon and backslash).
fn terse_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

/// `nmcli -t -f GENERAL.DEVICE,GENERAL.TYPE,GENERAL.STATE,GENERAL.CONNECTION,IP4.ADDRESS,IP4.DNS device show`:
/// the Wi-Fi devices with their state, connection, IPv4 addresses and DNS servers.
pub fn nmcli_devices(text: &str) -> Vec<WifiState> {
    let mut out = Vec::new();
    let mut cur: Option<(bool, WifiState)> = None;
    let flush = |cur: &mut Option<(bool, WifiState)>, out: &mut Vec<WifiState>| {
        if let Some((true, s)) = cur.take() {
            out.push(s);
        }
    };
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.split('[').next().unwrap_or(key);
        let value = value.replace("\\:", ":");
        match key {
            "GENERAL.DEVICE" => {
                flush(&mut cur, &mut out);
                cur = Some((
                    false,
                    WifiState {
                        adapter: Some(value),
                        enabled: Some(true),
                        ..WifiState::default()
                    },
                ));
            }
            _ => {
                let Some((wifi, s)) = cur.as_mut() else {
                    continue;
                };
                match key {
                    "GENERAL.TYPE" => *wifi = value == "wifi",
                    "GENERAL.STATE" => {
                        // `100 (connected)`, `30 (disconnected)`, `20 (unavailable)`.
                        let word = value
                            .split_once('(')
                            .map_or(value.as_str(), |(_, w)| w.trim_end_matches(')'));
                        s.link = match word.split_whitespace().next().unwrap_or("") {
                            "connected" => Link::Connected,
                            "disconnected" => Link::Disconnected,
                            "unavailable" => {
                                s.enabled = Some(false);
                                Link::Disconnected
                            }
                            _ => Link::Other(word.to_string()),
                        };
                    }
                    "GENERAL.CONNECTION" if !value.is_empty() && value != "--" => {
                        s.connection = Some(value);
                    }
                    "IP4.ADDRESS" => {
                        if let Some(ip) = value.split('/').next().and_then(|a| a.parse().ok()) {
                            s.ipv4.push(ip);
                        }
                    }
                    "IP4.DNS" => {
                        if let Ok(ip) = value.parse() {
                            s.dns.push(ip);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// `nmcli -t -f IN-USE,SSID,SIGNAL,DEVICE device wifi list --rescan no`:
/// the network in use on each device, with its signal (0-100).
pub fn nmcli_in_use(text: &str) -> Vec<(String, String, Option<u8>)> {
    text.lines()
        .map(terse_fields)
        .filter(|f| f.len() >= 4 && f[0] == "*")
        .map(|f| (f[3].clone(), f[1].clone(), f[2].trim().parse().ok()))
        .collect()
}

/// `nmcli radio wifi`: `enabled` or `disabled`.
pub fn nmcli_radio(text: &str) -> Option<bool> {
    match text.trim() {
        "enabled" => Some(true),
        "disabled" => Some(false),
        _ => None,
    }
}

/// `networksetup -listallhardwareports`: the Wi-Fi (or, before macOS 10.7,
/// AirPort) ports' devices, e.g. `en0`.
pub fn macos_wifi_devices(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut wifi = false;
    for line in text.lines() {
        if let Some(port) = line.strip_prefix("Hardware Port:") {
            let port = port.trim();
            wifi = port == "Wi-Fi" || port == "AirPort";
        } else if let Some(dev) = line.strip_prefix("Device:")
            && wifi
        {
            out.push(dev.trim().to_string());
            wifi = false;
        }
    }
    out
}

/// `networksetup -getairportpower en0`: `Wi-Fi Power (en0): On`.
pub fn macos_power(text: &str) -> Option<bool> {
    let value = text.trim().rsplit(':').next()?.trim();
    match value {
        "On" => Some(true),
        "Off" => Some(false),
        _ => None,
    }
}

/// `system_profiler SPAirPortDataType`: the current network's name and
/// signal (`Signal / Noise: -58 dBm / -92 dBm`) under `Current Network
/// Information:`, for the interface `device`. The signal in dBm becomes a
/// quality in percent as Windows reckons it: -100 dBm is 0 %, -50 is 100 %.
pub fn macos_profile(text: &str, device: &str) -> (Option<String>, Option<u8>) {
    let mut in_device = false;
    let mut in_current = false;
    let mut current_indent = 0;
    let (mut ssid, mut signal) = (None, None);
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t.ends_with(':') && t.trim_end_matches(':') == device {
            in_device = true;
            continue;
        }
        if !in_device {
            continue;
        }
        if t == "Current Network Information:" {
            in_current = true;
            current_indent = indent;
            continue;
        }
        if in_current && indent <= current_indent {
            break;
        }
        if !in_current {
            continue;
        }
        if ssid.is_none() && t.ends_with(':') && indent == current_indent + 2 {
            ssid = Some(t.trim_end_matches(':').to_string());
        } else if let Some(v) = t.strip_prefix("Signal / Noise:") {
            signal = v
                .split("dBm")
                .next()
                .and_then(|d| d.trim().parse::<i32>().ok())
                .map(dbm_to_quality);
        }
    }
    (ssid, signal)
}

/// RSSI in dBm to a 0–100 quality (Windows' mapping: linear from -100 to -50 dBm).
pub fn dbm_to_quality(dbm: i32) -> u8 {
    (2 * (i64::from(dbm) + 100)).clamp(0, 100) as u8
}

/// Whether an address was given by the OS itself for lack of a DHCP
/// answer (APIPA, 169.254.0.0/16).
pub fn self_assigned(ip: &Ipv4Addr) -> bool {
    ip.is_link_local()
}

/// IPv4 addresses out of `address/prefix` texts (netfacts' form).
pub fn ipv4_of(addresses: &[String]) -> Vec<Ipv4Addr> {
    addresses
        .iter()
        .filter_map(|a| a.split('/').next()?.parse::<IpAddr>().ok())
        .filter_map(|ip| match ip {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NETSH_CONNECTED: &str = "
There is 1 interface on the system:

    Name                   : Wi-Fi
    Description            : Intel(R) Wi-Fi 6 AX201 160MHz
    GUID                   : 4b1d2b9c-6f3e-4c1a-9a61-5c2b3f1e8d70
    Physical address       : a4:b1:c1:22:33:44
    Interface type         : Primary
    State                  : connected
    SSID                   : Office Guest
    AP BSSID               : 9c:1c:12:aa:bb:cc
    Band                   : 5 GHz
    Channel                : 36
    Network type           : Infrastructure
    Radio type             : 802.11ax
    Authentication         : WPA2-Personal
    Cipher                 : CCMP
    Connection mode        : Auto Connect
    Receive rate (Mbps)    : 573.5
    Transmit rate (Mbps)   : 573.5
    Signal                 : 34%
    Profile                : Office Guest
    QoS MSCS Configured         : 0
    QoS Map Configured          : 0
    QoS Map Allowed by Policy   : 0

    Hosted network status  : Not available
";

    const NETSH_RADIO_OFF: &str = "
There is 1 interface on the system:

    Name                   : Wi-Fi
    Description            : Realtek RTL8822CE 802.11ac PCIe Adapter
    GUID                   : 0e7d3c1a-2f4b-4e59-8d1c-7b6a5e4d3c2b
    Physical address       : 10:5b:ad:01:02:03
    Interface type         : Primary
    State                  : disconnected
    Radio status           : Hardware On
                             Software Off

    Hosted network status  : Not available
";

    #[test]
    fn netsh_connected_and_radio_off() {
        let s = &netsh(NETSH_CONNECTED)[0];
        assert_eq!(s.adapter.as_deref(), Some("Wi-Fi"));
        assert_eq!(s.link, Link::Connected);
        assert_eq!(s.ssid.as_deref(), Some("Office Guest"));
        assert_eq!(s.signal, Some(34));
        assert_eq!(s.enabled, Some(true));
        let off = &netsh(NETSH_RADIO_OFF)[0];
        assert_eq!(off.enabled, Some(false));
        assert_eq!(off.link, Link::Disconnected);
        assert!(netsh("There is no wireless interface on the system.\n").is_empty());
    }

    #[test]
    fn nmcli_devices_and_networks() {
        let text = "GENERAL.DEVICE:wlp0s20f3\nGENERAL.TYPE:wifi\nGENERAL.STATE:100 (connected)\n\
GENERAL.CONNECTION:Home\\: 5G\nIP4.ADDRESS[1]:192.168.1.23/24\nIP4.DNS[1]:192.168.1.1\nIP4.DNS[2]:9.9.9.9\n\n\
GENERAL.DEVICE:enp0s31f6\nGENERAL.TYPE:ethernet\nGENERAL.STATE:20 (unavailable)\nGENERAL.CONNECTION:\n\n\
GENERAL.DEVICE:lo\nGENERAL.TYPE:loopback\nGENERAL.STATE:100 (connected (externally))\nGENERAL.CONNECTION:lo\nIP4.ADDRESS[1]:127.0.0.1/8\n";
        let devices = nmcli_devices(text);
        assert_eq!(devices.len(), 1, "{devices:?}");
        let s = &devices[0];
        assert_eq!(s.adapter.as_deref(), Some("wlp0s20f3"));
        assert_eq!(s.link, Link::Connected);
        assert_eq!(s.connection.as_deref(), Some("Home: 5G"));
        assert_eq!(s.ipv4, vec![Ipv4Addr::new(192, 168, 1, 23)]);
        assert_eq!(s.dns.len(), 2);
        let off = nmcli_devices(
            "GENERAL.DEVICE:wlan0\nGENERAL.TYPE:wifi\nGENERAL.STATE:20 (unavailable)\nGENERAL.CONNECTION:\n",
        );
        assert_eq!(off[0].enabled, Some(false));
        let list = "  :Neighbour:80:wlp0s20f3\n*:Home\\: 5G:41:wlp0s20f3\n :Cafe:22:wlp0s20f3\n";
        assert_eq!(
            nmcli_in_use(list),
            vec![("wlp0s20f3".into(), "Home: 5G".into(), Some(41))]
        );
        assert_eq!(nmcli_radio("disabled\n"), Some(false));
    }

    #[test]
    fn macos_ports_power_and_profile() {
        let ports = "\nHardware Port: Ethernet\nDevice: en1\nEthernet Address: aa\n\n\
Hardware Port: Wi-Fi\nDevice: en0\nEthernet Address: bb\n\nVLAN Configurations\n===================\n";
        assert_eq!(macos_wifi_devices(ports), vec!["en0".to_string()]);
        assert_eq!(macos_power("Wi-Fi Power (en0): Off\n"), Some(false));
        assert_eq!(macos_power("Wi-Fi Power (en0): On\n"), Some(true));
        let profile = "Wi-Fi:

      Software Versions:
          CoreWLAN: 16.0 (1657)
      Interfaces:
        en0:
          Card Type: Wi-Fi  (0x14E4, 0x4387)
          Firmware Version: wl0: Jul 31 2023
          Status: Connected
          Current Network Information:
            Office:
              PHY Mode: 802.11ac
              Channel: 149 (5GHz, 80MHz)
              Security: WPA2 Personal
              Signal / Noise: -71 dBm / -92 dBm
              Transmit Rate: 234
          Other Local Wi-Fi Networks:
            Cafe:
              Signal / Noise: -80 dBm / -92 dBm
";
        assert_eq!(
            macos_profile(profile, "en0"),
            (Some("Office".to_string()), Some(58))
        );
        assert_eq!(macos_profile(profile, "en1"), (None, None));
    }

    #[test]
    fn apipa_addresses_are_self_assigned() {
        assert!(self_assigned(&Ipv4Addr::new(169, 254, 12, 7)));
        assert!(!self_assigned(&Ipv4Addr::new(192, 168, 1, 2)));
        assert_eq!(
            ipv4_of(&["fe80::1/64".into(), "10.0.0.5/24".into()]),
            vec![Ipv4Addr::new(10, 0, 0, 5)]
        );
    }
}
