# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_supportctl_global_optspecs
    string join \n color= h/help V/version
end

function __fish_supportctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_supportctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_supportctl_using_subcommand
    set -l cmd (__fish_supportctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c supportctl -n "__fish_supportctl_needs_command" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_needs_command" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_needs_command" -s V -l version -d 'Print version'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "run" -d 'Run playbooks (a path, or the name of a shipped or search-path playbook)'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "check" -d 'Validate playbooks without running them; reports every error in every file'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "list" -d 'List shipped playbooks and those on the search path'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "show" -d 'Show a playbook\'s steps, conditions, and what it could change'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "facts" -d 'Show the system facts that conditions and templates use'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "report" -d 'Work with run reports: `report merge` summarises many machines\' JSON reports'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "history" -d 'The run history on this machine: recent runs, a run\'s full report, statistics per playbook and cause, export'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "note" -d 'Attach a note (what was done, what fixed it) to the latest run, or to a ticket\'s'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "suggest" -d 'Which playbook fits what the user said: `suggest "my printer wont print"`'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "redact" -d 'Redact files or standard input to standard output with the same engine as bundles and reports (check a snippet before pasting it into a ticket)'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "keygen" -d 'Make a minisign key pair for signing playbooks (KEY.key, 0600, and KEY.pub)'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "sign" -d 'Sign playbooks: writes PLAYBOOK.minisig next to each (minisign format)'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "policy" -d 'The machine policy: which playbooks this machine runs'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "schema" -d 'Print the JSON Schema of the playbook format (or, with --report, of the JSON report)'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "__complete" -d 'Values for shell completion (used by the completion scripts)'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "man" -d 'Print a man page (roff): supportctl\'s, or a subcommand\'s (`man run`, `man report merge`)'
complete -c supportctl -n "__fish_supportctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l var -d 'Set a playbook variable (repeatable): --var ticket=INC0042' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l ticket -d 'The ticket this run is for (e.g. INC0042): shown in the reports and available to playbooks as {{ ticket }} (same as --var ticket=)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l only -d 'Run only steps with this id or tag (repeatable)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l skip -d 'Skip steps with this id or tag (repeatable)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l format -d 'Output format on stdout' -r -f -a "human\t'Coloured lines for a terminal'
json\t'The versioned JSON report, for scripts and fleet tools'
junit\t'JUnit XML, for CI systems'
markdown\t'A Markdown table to paste into a ticket'
nagios\t'A Nagios/Icinga plugin status line with perfdata'
tap\t'Test Anything Protocol (version 13)'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector'
ticket\t'Plain text for ticket systems without Markdown: conclusion, facts, steps'"
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l report -d 'Also write the report to a file (repeatable): --report json=report.json' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -s j -l jobs -d 'How many independent read-only steps that compute or read disks may run at once' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l net-jobs -d 'How many independent network checks (dns, tcp, http, ping) may run at once: they wait, not compute. Lowered to what the open-file limit allows (`ulimit -n`)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l dry-run -d 'Show what would change; change nothing (fixes, cleanups and `changes` commands do not run)'
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l strict -d 'Treat warnings as failures (exit 1)'
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -l no-history -d 'Do not record this run in the history (`supportctl history`)'
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -s q -l quiet -d 'Print only steps that need attention and the summary'
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -s v -l verbose -d 'Print measurements, attempts and output for every step'
complete -c supportctl -n "__fish_supportctl_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c supportctl -n "__fish_supportctl_using_subcommand check" -l var -d 'Set a playbook variable (repeatable): --var ticket=INC0042' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand check" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand check" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand check" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand list" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand list" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand list" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand show" -l var -d 'Set a playbook variable (repeatable): --var ticket=INC0042' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand show" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand show" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand facts" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand facts" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand facts" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and not __fish_seen_subcommand_from merge help" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and not __fish_seen_subcommand_from merge help" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and not __fish_seen_subcommand_from merge help" -f -a "merge" -d 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass'
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and not __fish_seen_subcommand_from merge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and __fish_seen_subcommand_from merge" -l format -d 'Output format (CSV: one row per host and step)' -r -f -a "human\t''
json\t''
markdown\t''
csv\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and __fish_seen_subcommand_from merge" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and __fish_seen_subcommand_from merge" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "merge" -d 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass'
complete -c supportctl -n "__fish_supportctl_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -l ticket -d 'Runs for this ticket' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -l playbook -d 'Runs of this playbook' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -l since -d 'Runs started within this long (7d, 12h) or since this date (2026-11-01)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -l status -d 'Runs that ended this way (their worst step)' -r -f -a "pass\t''
fixed\t''
warn\t''
fail\t''
error\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -s n -l limit -d 'At most this many runs, newest first' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -f -a "show" -d 'A stored run\'s full report, rendered in any run format (with its notes)'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -f -a "stats" -d 'Per playbook and per cause: how often, how often the fixes worked, the median service time'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -f -a "export" -d 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and not __fish_seen_subcommand_from show stats export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from show" -l format -d 'Output format' -r -f -a "human\t'Coloured lines for a terminal'
json\t'The versioned JSON report, for scripts and fleet tools'
junit\t'JUnit XML, for CI systems'
markdown\t'A Markdown table to paste into a ticket'
nagios\t'A Nagios/Icinga plugin status line with perfdata'
tap\t'Test Anything Protocol (version 13)'
prometheus\t'Prometheus text format, for node_exporter\'s textfile collector'
ticket\t'Plain text for ticket systems without Markdown: conclusion, facts, steps'"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from stats" -l since -d 'Only runs started within this long (30d) or since this date' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from stats" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from stats" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from export" -l format -d 'Output format' -r -f -a "json\t''
csv\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from export" -l since -d 'Only runs started within this long (30d) or since this date' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from export" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "show" -d 'A stored run\'s full report, rendered in any run format (with its notes)'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Per playbook and per cause: how often, how often the fixes worked, the median service time'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "export" -d 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)'
complete -c supportctl -n "__fish_supportctl_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand note" -l ticket -d 'The ticket\'s latest run (or, with no run for it yet, the ticket itself)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand note" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand note" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand suggest" -s n -l limit -d 'How many playbooks to suggest' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand suggest" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand suggest" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand suggest" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l hostname -d 'Another host name to pseudonymise (repeatable)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l username -d 'Another user name to pseudonymise (repeatable)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l keyword -d 'A word removed wherever it appears, case-insensitive (repeatable)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l pattern -d 'A regular expression whose matches are removed (repeatable)' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l no-builtin -d 'Leave out the built-in secret rules (only the flags below run)'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l emails -d 'Pseudonymise e-mail addresses'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l ip -d 'Pseudonymise IPv4 and IPv6 addresses'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l mac -d 'Pseudonymise MAC addresses'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l hostnames -d 'Pseudonymise this machine\'s host name (and each --hostname)'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l usernames -d 'Pseudonymise the current user\'s name and names in home-folder paths (and each --username)'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -l stats -d 'Print how many values each rule replaced to standard error'
complete -c supportctl -n "__fish_supportctl_using_subcommand redact" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand keygen" -l dir -d 'Folder for the key files' -r -F
complete -c supportctl -n "__fish_supportctl_using_subcommand keygen" -l name -d 'Base name of the key files' -r
complete -c supportctl -n "__fish_supportctl_using_subcommand keygen" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand keygen" -l force -d 'Replace existing key files'
complete -c supportctl -n "__fish_supportctl_using_subcommand keygen" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand sign" -s k -l key -d 'The secret key (minisign format; encrypted keys read their password from SUPPORTCTL_KEY_PASSWORD)' -r -F
complete -c supportctl -n "__fish_supportctl_using_subcommand sign" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand sign" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and not __fish_seen_subcommand_from show help" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print the policy in force and where it came from'
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the policy in force and where it came from'
complete -c supportctl -n "__fish_supportctl_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand schema" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand schema" -l report -d 'The schema of the JSON run report instead of the playbook format'
complete -c supportctl -n "__fish_supportctl_using_subcommand schema" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand __complete" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand __complete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c supportctl -n "__fish_supportctl_using_subcommand man" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c supportctl -n "__fish_supportctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "run" -d 'Run playbooks (a path, or the name of a shipped or search-path playbook)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "check" -d 'Validate playbooks without running them; reports every error in every file'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "list" -d 'List shipped playbooks and those on the search path'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "show" -d 'Show a playbook\'s steps, conditions, and what it could change'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "facts" -d 'Show the system facts that conditions and templates use'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "report" -d 'Work with run reports: `report merge` summarises many machines\' JSON reports'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "history" -d 'The run history on this machine: recent runs, a run\'s full report, statistics per playbook and cause, export'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "note" -d 'Attach a note (what was done, what fixed it) to the latest run, or to a ticket\'s'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "suggest" -d 'Which playbook fits what the user said: `suggest "my printer wont print"`'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "redact" -d 'Redact files or standard input to standard output with the same engine as bundles and reports (check a snippet before pasting it into a ticket)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "keygen" -d 'Make a minisign key pair for signing playbooks (KEY.key, 0600, and KEY.pub)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "sign" -d 'Sign playbooks: writes PLAYBOOK.minisig next to each (minisign format)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "policy" -d 'The machine policy: which playbooks this machine runs'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "schema" -d 'Print the JSON Schema of the playbook format (or, with --report, of the JSON report)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "completions" -d 'Print shell completions'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "__complete" -d 'Values for shell completion (used by the completion scripts)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "man" -d 'Print a man page (roff): supportctl\'s, or a subcommand\'s (`man run`, `man report merge`)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and not __fish_seen_subcommand_from run check list show facts report history note suggest redact keygen sign policy schema completions __complete man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "merge" -d 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "show" -d 'A stored run\'s full report, rendered in any run format (with its notes)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "stats" -d 'Per playbook and per cause: how often, how often the fixes worked, the median service time'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "export" -d 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)'
complete -c supportctl -n "__fish_supportctl_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Print the policy in force and where it came from'

# Playbook names (shipped and on the search path) after run, show and check.
complete -c supportctl -n "__fish_seen_subcommand_from run show check" -a "(supportctl __complete playbooks 2>/dev/null)"
