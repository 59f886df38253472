//! `supportctl facts`: the facts conditions and templates use.

use serde::Serialize;

use crate::cli::{FactsArgs, ListFormat};
use crate::facts::{DiskFact, Facts, list_disks};
use crate::netfacts::NetworkFacts;
use crate::values::human_bytes;

#[derive(Serialize)]
struct AllFacts {
    #[serde(flatten)]
    facts: Facts,
    disks: Vec<DiskFact>,
    network: NetworkFacts,
}

pub fn run(args: &FactsArgs) -> i32 {
    let all = AllFacts {
        facts: Facts::gather(),
        disks: list_disks(),
        network: crate::netfacts::gather(),
    };
    match args.format {
        ListFormat::Json => {
            crate::outln!("{}", serde_json::to_string_pretty(&all).unwrap_or_default())
        }
        ListFormat::Human => {
            let value = serde_json::to_value(&all.facts).unwrap_or_default();
            if let Some(map) = value.as_object() {
                let width = map.keys().map(String::len).max().unwrap_or(0);
                for (k, v) in map {
                    // The name is the template variable, so the value is what
                    // `{{ name }}` gives; sizes and times add a readable form.
                    let text = match (k.ends_with("_bytes"), v) {
                        (true, serde_json::Value::Number(n)) => {
                            format!("{n} ({})", human_bytes(n.as_u64().unwrap_or(0)))
                        }
                        (false, serde_json::Value::Number(n)) if k.ends_with("_secs") => {
                            let s = n.as_u64().unwrap_or(0);
                            format!(
                                "{n} ({}d {}h {}m)",
                                s / 86_400,
                                s % 86_400 / 3600,
                                s % 3600 / 60
                            )
                        }
                        (_, serde_json::Value::String(s)) => s.clone(),
                        (_, serde_json::Value::Null) => "-".into(),
                        (_, other) => other.to_string(),
                    };
                    crate::outln!("{k:<width$}  {text}");
                }
            }
            crate::outln!("disks:");
            for d in &all.disks {
                crate::outln!(
                    "  {:<20} {:<8} {:>10} free of {:>10}",
                    d.mount_point,
                    d.filesystem,
                    human_bytes(d.available_bytes),
                    human_bytes(d.total_bytes)
                );
            }
            print_network(&all.network);
        }
    }
    0
}

fn print_network(net: &NetworkFacts) {
    let or_none =
        |ip: Option<std::net::IpAddr>| ip.map_or_else(|| "none".to_string(), |ip| ip.to_string());
    crate::outln!("network:");
    let via = net
        .gateway_interface
        .as_ref()
        .map_or(String::new(), |i| format!(" (via {i})"));
    crate::outln!("  gateway       {}{via}", or_none(net.gateway));
    crate::outln!("  gateway IPv6  {}", or_none(net.gateway_v6));
    let dns: Vec<String> = net.dns_servers.iter().map(ToString::to_string).collect();
    crate::outln!(
        "  dns servers   {}",
        if dns.is_empty() {
            "none found".to_string()
        } else {
            dns.join(", ")
        }
    );
    for i in &net.interfaces {
        let state = if i.up { "up" } else { "down" };
        crate::outln!("  {:<20} {:<5} {}", i.name, state, i.addresses.join(", "));
    }
}
