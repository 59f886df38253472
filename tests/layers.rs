//! The module layers stay one-directional: a top-level module of `src/`
//! imports only modules of its own layer or below (README "Code map").
//! Within a layer, modules may use each other but never in a circle.
//! Adding a module means adding it to [`LAYERS`] here and to the code map.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top to bottom. Engines never import steps, runner, playbook or render;
/// steps never import the runner or the playbook loader; renderers read
/// only the report; foundations import nothing above them.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "entry points",
        &["main", "lib", "cli", "commands", "terminal"],
    ),
    ("runner", &["runner"]),
    ("playbook", &["playbook"]),
    ("steps", &["steps"]),
    (
        "engines",
        &[
            "bundle",
            "cleanup",
            "http",
            "net",
            "sntp",
            "wifi",
            "largest",
            "redact",
            "merge",
            "packages",
            "policy",
            "signing",
            "processes",
            "services",
            "logscan",
            "history",
            "suggest",
        ],
    ),
    ("report and renderers", &["render", "report", "exit"]),
    (
        "foundations",
        &[
            "facts",
            "netfacts",
            "openfiles",
            "vars",
            "process",
            "progress",
            "values",
            "version",
            "text",
            "textcodec",
            "cancel",
            "pathglob",
            "dirwalk",
            "diskspace",
            "safeopen",
            "privilege",
            "secrets",
        ],
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// The top-level module a file of `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a source text names through `crate::`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_layer_above_it_and_none_is_unmapped() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let Some(own) = layer_of(&module) else {
            problems.push(format!(
                "src/{module} is in no layer: add it to LAYERS in tests/layers.rs and to the README's code map"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for used in imports(&text) {
            // Macros exported at the crate root (`crate::outln!`) and the
            // module itself are not edges.
            let Some(theirs) = layer_of(&used) else {
                continue;
            };
            if used == module {
                continue;
            }
            edges
                .entry(module.clone())
                .or_default()
                .insert(used.clone());
            if theirs < own {
                problems.push(format!(
                    "{} (layer `{}`) imports `{used}` from the layer above, `{}`",
                    file.strip_prefix(&src).unwrap().display(),
                    LAYERS[own].0,
                    LAYERS[theirs].0
                ));
            }
        }
    }
    // No circles within a layer either (depth-first search for a back edge).
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        problems: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == node) {
            problems.push(format!(
                "import circle: {} -> {node}",
                path[i..].join(" -> ")
            ));
            return;
        }
        if !done.insert(node.to_string()) {
            return;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, problems);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, &edges, &mut Vec::new(), &mut done, &mut problems);
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_grouped_and_plain_imports() {
    let found = imports("use crate::{steps::X, report};\nlet a = crate::net::connect();");
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["net", "report", "steps"]
    );
}
