//! Embeds every `playbooks/*.toml` in the binary (see src/playbook/source.rs).

use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=playbooks");
    let mut entries: Vec<_> = fs::read_dir("playbooks")
        .expect("playbooks/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    let mut code = String::from("&[\n");
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        // Resolved when the crate compiles, not baked in here: a build
        // script's output reused from another checkout path stays right.
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        writeln!(
            code,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/playbooks/\", {file:?}))),"
        )
        .unwrap();
    }
    code.push(']');
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("shipped.rs");
    fs::write(out, code).unwrap();
}
