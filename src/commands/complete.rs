//! Shell completion: clap's generated scripts, plus playbook names (shipped
//! and on the search path) after `run`, `show` and `check` in bash and
//! fish, asked of the binary itself through the hidden
//! `supportctl __complete playbooks`.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::playbook::source::list;

/// Prints the playbook names completion offers, one per line (names a
/// shell could misread, with spaces or control characters, are left out).
pub fn playbooks() -> i32 {
    for l in list().iter().filter(|l| !l.shadowed) {
        if !l.name.is_empty()
            && l.name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.".contains(c))
        {
            crate::outln!("{}", l.name);
        }
    }
    0
}

/// Bash: clap's function, then playbook names for the subcommand's
/// playbook argument (not after an option that takes a value).
const BASH: &str = r#"
# Playbook names (shipped and on the search path) after run, show and check,
# asked of the same supportctl being completed.
_supportctl_with_playbooks() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" sub="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -*) ;;
            *) sub="${COMP_WORDS[i]}"; break ;;
        esac
    done
    _supportctl "$@"
    case "$sub" in
        run|show|check) ;;
        *) return 0 ;;
    esac
    case "$prev" in
        --var|--only|--skip|--format|--report|-j|--jobs|--color) return 0 ;;
    esac
    [[ "$cur" == -* ]] && return 0
    local names
    names=$("${COMP_WORDS[0]}" __complete playbooks 2>/dev/null) || return 0
    COMPREPLY+=($(compgen -W "$names" -- "$cur"))
}
complete -F _supportctl_with_playbooks -o bashdefault -o default supportctl
"#;

/// Fish: playbook names beside clap's completions (files still complete).
const FISH: &str = r#"
# Playbook names (shipped and on the search path) after run, show and check.
complete -c supportctl -n "__fish_seen_subcommand_from run show check" -a "(supportctl __complete playbooks 2>/dev/null)"
"#;

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "supportctl", &mut buf);
    match shell {
        Shell::Bash => buf.extend_from_slice(BASH.as_bytes()),
        Shell::Fish => buf.extend_from_slice(FISH.as_bytes()),
        _ => {}
    }
    buf
}
