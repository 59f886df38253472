//! Network facts: interfaces with their addresses, the default gateway and
//! the DNS servers, as each OS exposes them.
//!
//! - Linux: `getifaddrs`, `/proc/net/route` and `/proc/net/ipv6_route`,
//!   `/etc/resolv.conf` (plus systemd-resolved's upstream list when the
//!   file only names its local stub).
//! - macOS and the BSDs: `getifaddrs`, `route -n get default` (a program
//!   run, bounded by a timeout), `/etc/resolv.conf`.
//! - Windows: one `GetAdaptersAddresses` call gives all three.
//!
//! Gathered only when something asks (`supportctl facts`, bundles, and
//! playbooks that use `{{ gateway }}`), once per run.

use std::net::IpAddr;
use std::sync::OnceLock;

/// What `{{ gateway }}` expands to on a machine with no default route.
pub const NO_GATEWAY: &str = "no-default-gateway";

use serde::{Deserialize, Serialize};

/// The machine's network as the OS sees it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct NetworkFacts {
    pub interfaces: Vec<Interface>,
    /// The IPv4 default gateway.
    pub gateway: Option<IpAddr>,
    /// The IPv6 default gateway (often a link-local address).
    pub gateway_v6: Option<IpAddr>,
    /// The interface the default route leaves by.
    pub gateway_interface: Option<String>,
    /// Resolvers in the order the OS asks them.
    pub dns_servers: Vec<IpAddr>,
}

/// One network interface.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Interface {
    pub name: String,
    /// `address/prefix`, e.g. `192.168.1.20/24`, `fe80::1/64`.
    pub addresses: Vec<String>,
    pub up: bool,
    pub loopback: bool,
}

/// The network facts, read once per run.
pub fn cached() -> &'static NetworkFacts {
    static FACTS: OnceLock<NetworkFacts> = OnceLock::new();
    FACTS.get_or_init(gather)
}

/// Reads the network facts now.
pub fn gather() -> NetworkFacts {
    imp::gather()
}

/// The template variables these facts offer, by name, with their values.
pub fn variables(facts: &NetworkFacts) -> Vec<(&'static str, String)> {
    vec![(
        "gateway",
        // A link-local IPv6 gateway (fe80::/10, the usual kind) needs its
        // interface to be reached, which a host string cannot carry.
        facts
            .gateway
            .or(facts.gateway_v6.filter(|ip| !is_link_local(*ip)))
            .map_or_else(|| NO_GATEWAY.to_string(), |ip| ip.to_string()),
    )]
}

/// Whether an address is IPv6 link-local (fe80::/10).
fn is_link_local(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
}

/// Names of the variables [`variables`] gives (gathered only when used).
pub const VARIABLES: &[&str] = &["gateway"];

/// Nameservers of a resolv.conf text (IPv6 zone suffixes dropped).
pub fn parse_resolv_conf(text: &str) -> Vec<IpAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next()? == "nameserver").then_some(())?;
            words.next()?.split('%').next()?.parse().ok()
        })
        .collect()
}

/// The default IPv4 gateway and its interface from `/proc/net/route` text
/// (the lowest metric wins).
pub fn parse_proc_route(text: &str) -> Option<(IpAddr, String)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (iface, dest, gw, flags, metric) =
                (f.first()?, f.get(1)?, f.get(2)?, f.get(3)?, f.get(6)?);
            let flags = u32::from_str_radix(flags, 16).ok()?;
            // RTF_UP | RTF_GATEWAY, destination 0.0.0.0.
            if *dest != "00000000" || flags & 0x3 != 0x3 {
                return None;
            }
            let gw = u32::from_str_radix(gw, 16).ok()?;
            // The kernel prints the address's network-order bytes as a native u32.
            let ip = IpAddr::from(gw.to_ne_bytes());
            Some((
                metric.parse::<u32>().unwrap_or(u32::MAX),
                ip,
                iface.to_string(),
            ))
        })
        .min_by_key(|(metric, _, _)| *metric)
        .map(|(_, ip, iface)| (ip, iface))
}

/// The default IPv6 gateway from `/proc/net/ipv6_route` text.
pub fn parse_proc_ipv6_route(text: &str) -> Option<IpAddr> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (dest, prefix, next, metric) = (f.first()?, f.get(1)?, f.get(4)?, f.get(5)?);
            if dest.chars().any(|c| c != '0') || *prefix != "00" || next.chars().all(|c| c == '0') {
                return None;
            }
            let bits = u128::from_str_radix(next, 16).ok()?;
            let metric = u32::from_str_radix(metric, 16).unwrap_or(u32::MAX);
            Some((metric, IpAddr::from(bits.to_be_bytes())))
        })
        .min_by_key(|(metric, _)| *metric)
        .map(|(_, ip)| ip)
}

/// The gateway and interface from `route -n get default` output (BSD, macOS).
pub fn parse_route_get(text: &str) -> (Option<IpAddr>, Option<String>) {
    let field = |name: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.trim().split_once(':')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    };
    let gateway = field("gateway").and_then(|g| g.split('%').next()?.parse().ok());
    (gateway, field("interface"))
}

#[cfg(unix)]
mod imp {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::{Interface, NetworkFacts, parse_resolv_conf};

    /// Number of one bits of a netmask.
    fn prefix_len(mask: &[u8]) -> u32 {
        mask.iter().map(|b| b.count_ones()).sum()
    }

    pub fn gather() -> NetworkFacts {
        let mut facts = NetworkFacts {
            interfaces: interfaces(),
            dns_servers: dns_servers(),
            ..NetworkFacts::default()
        };
        gateways(&mut facts);
        facts
    }

    fn dns_servers() -> Vec<IpAddr> {
        let mut servers =
            parse_resolv_conf(&std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default());
        // systemd-resolved: the file names its stub; the real servers are here.
        let stub: IpAddr = Ipv4Addr::new(127, 0, 0, 53).into();
        if servers.contains(&stub) {
            let upstream =
                std::fs::read_to_string("/run/systemd/resolve/resolv.conf").unwrap_or_default();
            for ip in parse_resolv_conf(&upstream) {
                if !servers.contains(&ip) {
                    servers.push(ip);
                }
            }
        }
        servers
    }

    #[cfg(target_os = "linux")]
    fn gateways(facts: &mut NetworkFacts) {
        let read = |p| std::fs::read_to_string(p).unwrap_or_default();
        if let Some((ip, iface)) = super::parse_proc_route(&read("/proc/net/route")) {
            facts.gateway = Some(ip);
            facts.gateway_interface = Some(iface);
        }
        facts.gateway_v6 = super::parse_proc_ipv6_route(&read("/proc/net/ipv6_route"));
    }

    #[cfg(not(target_os = "linux"))]
    fn gateways(facts: &mut NetworkFacts) {
        use std::time::{Duration, Instant};
        let route = |args: &[&str]| {
            let mut argv = vec!["route".to_string(), "-n".to_string(), "get".to_string()];
            argv.extend(args.iter().map(|a| a.to_string()));
            let spec = crate::process::ProcessSpec {
                argv,
                max_output: 64 * 1024,
                ..Default::default()
            };
            let deadline = Instant::now() + Duration::from_secs(3);
            let r = crate::process::run(&spec, deadline, &crate::cancel::Cancel::new());
            super::parse_route_get(&r.stdout)
        };
        let (gw, iface) = route(&["default"]);
        facts.gateway = gw;
        facts.gateway_interface = iface;
        facts.gateway_v6 = route(&["-inet6", "default"]).0;
    }

    fn interfaces() -> Vec<Interface> {
        let mut out: Vec<Interface> = Vec::new();
        let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
        // SAFETY: getifaddrs fills `head` with a list we free below.
        if unsafe { libc::getifaddrs(&mut head) } != 0 {
            return out;
        }
        let mut p = head;
        while !p.is_null() {
            // SAFETY: `p` is a node of the list getifaddrs returned.
            let ifa = unsafe { &*p };
            p = ifa.ifa_next;
            if ifa.ifa_name.is_null() {
                continue;
            }
            // SAFETY: ifa_name is a NUL-terminated string owned by the list.
            let name = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) }
                .to_string_lossy()
                .into_owned();
            let flags = ifa.ifa_flags as libc::c_int;
            let idx = match out.iter().position(|i| i.name == name) {
                Some(i) => i,
                None => {
                    out.push(Interface {
                        name,
                        addresses: Vec::new(),
                        up: flags & libc::IFF_UP != 0,
                        loopback: flags & libc::IFF_LOOPBACK != 0,
                    });
                    out.len() - 1
                }
            };
            // SAFETY: addresses are sockaddrs of the family they declare.
            if let Some(addr) = unsafe { address(ifa.ifa_addr, ifa.ifa_netmask) } {
                out[idx].addresses.push(addr);
            }
        }
        // SAFETY: frees the list getifaddrs allocated, once.
        unsafe { libc::freeifaddrs(head) };
        out
    }

    /// `address/prefix` of an IPv4 or IPv6 sockaddr.
    ///
    /// # Safety
    /// `addr` and `mask` are null or point to sockaddrs of their family.
    unsafe fn address(addr: *const libc::sockaddr, mask: *const libc::sockaddr) -> Option<String> {
        if addr.is_null() {
            return None;
        }
        // SAFETY: per the function's contract.
        unsafe {
            match i32::from((*addr).sa_family) {
                libc::AF_INET => {
                    let a = &*(addr as *const libc::sockaddr_in);
                    let ip = Ipv4Addr::from(a.sin_addr.s_addr.to_ne_bytes());
                    let bits = if mask.is_null() {
                        32
                    } else {
                        let m = &*(mask as *const libc::sockaddr_in);
                        prefix_len(&m.sin_addr.s_addr.to_ne_bytes())
                    };
                    Some(format!("{ip}/{bits}"))
                }
                libc::AF_INET6 => {
                    let a = &*(addr as *const libc::sockaddr_in6);
                    let ip = Ipv6Addr::from(a.sin6_addr.s6_addr);
                    let bits = if mask.is_null() {
                        128
                    } else {
                        let m = &*(mask as *const libc::sockaddr_in6);
                        prefix_len(&m.sin6_addr.s6_addr)
                    };
                    Some(format!("{ip}/{bits}"))
                }
                _ => None,
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use windows_sys::Win32::NetworkManagement::IpHelper::{
        GAA_FLAG_INCLUDE_GATEWAYS, GAA_FLAG_SKIP_ANYCAST, GAA_FLAG_SKIP_MULTICAST,
        GetAdaptersAddresses, IF_TYPE_SOFTWARE_LOOPBACK, IP_ADAPTER_ADDRESSES_LH,
    };
    use windows_sys::Win32::NetworkManagement::Ndis::IfOperStatusUp;
    use windows_sys::Win32::Networking::WinSock::{
        AF_INET, AF_INET6, AF_UNSPEC, SOCKADDR, SOCKADDR_IN, SOCKADDR_IN6, SOCKET_ADDRESS,
    };

    use super::{Interface, NetworkFacts};

    const ERROR_BUFFER_OVERFLOW: u32 = 111;

    /// The IP address of a SOCKET_ADDRESS.
    ///
    /// # Safety
    /// `sa.lpSockaddr` is null or points to a sockaddr of its declared family.
    unsafe fn ip(sa: &SOCKET_ADDRESS) -> Option<IpAddr> {
        let p: *const SOCKADDR = sa.lpSockaddr;
        if p.is_null() {
            return None;
        }
        // SAFETY: per the function's contract.
        unsafe {
            match (*p).sa_family {
                AF_INET => {
                    let a = &*(p as *const SOCKADDR_IN);
                    Some(Ipv4Addr::from(a.sin_addr.S_un.S_addr.to_ne_bytes()).into())
                }
                AF_INET6 => {
                    let a = &*(p as *const SOCKADDR_IN6);
                    Some(Ipv6Addr::from(a.sin6_addr.u.Byte).into())
                }
                _ => None,
            }
        }
    }

    pub fn gather() -> NetworkFacts {
        let mut facts = NetworkFacts::default();
        let flags = GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST;
        let mut size: u32 = 16 * 1024;
        let mut buf: Vec<u64> = Vec::new();
        let mut filled = false;
        for _ in 0..4 {
            buf = vec![0u64; (size as usize).div_ceil(8)];
            // SAFETY: `buf` is writable for `size` bytes and 8-byte aligned.
            let rc = unsafe {
                GetAdaptersAddresses(
                    u32::from(AF_UNSPEC),
                    flags,
                    std::ptr::null(),
                    buf.as_mut_ptr().cast::<IP_ADAPTER_ADDRESSES_LH>(),
                    &mut size,
                )
            };
            match rc {
                0 => {
                    filled = true;
                    break;
                }
                ERROR_BUFFER_OVERFLOW => continue,
                _ => return facts,
            }
        }
        if !filled {
            return facts;
        }
        let mut p = buf.as_ptr().cast::<IP_ADAPTER_ADDRESSES_LH>();
        while !p.is_null() {
            // SAFETY: `p` walks the list GetAdaptersAddresses wrote into `buf`.
            let a = unsafe { &*p };
            p = a.Next;
            let mut name = String::new();
            if !a.FriendlyName.is_null() {
                // SAFETY: FriendlyName is a NUL-terminated UTF-16 string inside `buf`.
                let len = (0..)
                    .take_while(|&i| unsafe { *a.FriendlyName.add(i) } != 0)
                    .count();
                // SAFETY: `len` units were just read as valid.
                name = String::from_utf16_lossy(unsafe {
                    std::slice::from_raw_parts(a.FriendlyName, len)
                });
            }
            let up = a.OperStatus == IfOperStatusUp;
            let mut iface = Interface {
                name: name.clone(),
                up,
                loopback: a.IfType == IF_TYPE_SOFTWARE_LOOPBACK,
                addresses: Vec::new(),
            };
            let mut u = a.FirstUnicastAddress;
            while !u.is_null() {
                // SAFETY: list nodes inside `buf`.
                let ua = unsafe { &*u };
                // SAFETY: the sockaddr of a unicast entry.
                if let Some(ip) = unsafe { ip(&ua.Address) } {
                    iface
                        .addresses
                        .push(format!("{ip}/{}", ua.OnLinkPrefixLength));
                }
                u = ua.Next;
            }
            let mut g = a.FirstGatewayAddress;
            while !g.is_null() && up {
                // SAFETY: list nodes inside `buf`.
                let ga = unsafe { &*g };
                // SAFETY: the sockaddr of a gateway entry.
                match unsafe { ip(&ga.Address) } {
                    Some(ip @ IpAddr::V4(_)) if facts.gateway.is_none() && !ip.is_unspecified() => {
                        facts.gateway = Some(ip);
                        facts.gateway_interface = Some(name.clone());
                    }
                    Some(ip @ IpAddr::V6(_))
                        if facts.gateway_v6.is_none() && !ip.is_unspecified() =>
                    {
                        facts.gateway_v6 = Some(ip);
                    }
                    _ => {}
                }
                g = ga.Next;
            }
            let mut d = a.FirstDnsServerAddress;
            while !d.is_null() && up {
                // SAFETY: list nodes inside `buf`.
                let da = unsafe { &*d };
                // SAFETY: the sockaddr of a DNS server entry.
                // fec0:0:0:ffff::1-3 are Windows' placeholder resolvers.
                if let Some(ip) = unsafe { ip(&da.Address) }
                    && !matches!(ip, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfec0)
                    && !facts.dns_servers.contains(&ip)
                {
                    facts.dns_servers.push(ip);
                }
                d = da.Next;
            }
            facts.interfaces.push(iface);
        }
        facts
    }
}

#[cfg(not(any(unix, windows)))]
mod imp {
    pub fn gather() -> super::NetworkFacts {
        super::NetworkFacts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_routes() {
        let route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
            wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
            eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
            eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
        assert_eq!(
            parse_proc_route(route),
            Some(("10.0.0.1".parse().unwrap(), "eth0".into()))
        );
        assert_eq!(parse_proc_route("Iface\tDestination\n"), None);
        let v6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n\
            fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0\n";
        assert_eq!(parse_proc_ipv6_route(v6), Some("fe80::1".parse().unwrap()));
    }

    #[test]
    fn resolv_conf_and_route_get() {
        let conf = "# generated\nsearch corp.example\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nnameserver bogus\noptions edns0\n";
        assert_eq!(
            parse_resolv_conf(conf),
            vec![
                "10.0.0.53".parse::<IpAddr>().unwrap(),
                "fe80::1".parse().unwrap()
            ]
        );
        let out = "   route to: default\ndestination: default\n       mask: default\n    gateway: 192.168.1.1\n  interface: en0\n      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING>\n";
        assert_eq!(
            parse_route_get(out),
            (Some("192.168.1.1".parse().unwrap()), Some("en0".into()))
        );
        assert_eq!(
            parse_route_get("route: writing to routing socket: not in table"),
            (None, None)
        );
    }

    #[test]
    fn gateway_variable_says_when_there_is_none() {
        let none = NetworkFacts::default();
        assert_eq!(variables(&none)[0], ("gateway", NO_GATEWAY.to_string()));
        let some = NetworkFacts {
            gateway: Some("10.0.0.1".parse().unwrap()),
            dns_servers: vec!["10.0.0.53".parse().unwrap()],
            ..NetworkFacts::default()
        };
        assert_eq!(variables(&some)[0].1, "10.0.0.1");
        let v6_only = |gw: &str| NetworkFacts {
            gateway_v6: Some(gw.parse().unwrap()),
            ..NetworkFacts::default()
        };
        assert_eq!(variables(&v6_only("2001:db8::1"))[0].1, "2001:db8::1");
        assert_eq!(variables(&v6_only("fe80::1"))[0].1, NO_GATEWAY);
    }

    #[test]
    fn this_machine_has_a_loopback_interface() {
        let facts = gather();
        assert!(
            facts
                .interfaces
                .iter()
                .any(|i| i.loopback && i.addresses.iter().any(|a| a.starts_with("127."))),
            "{facts:?}"
        );
    }
}
