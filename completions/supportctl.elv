
use builtin;
use str;

set edit:completion:arg-completer[supportctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'supportctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'supportctl'= {
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run playbooks (a path, or the name of a shipped or search-path playbook)'
            cand check 'Validate playbooks without running them; reports every error in every file'
            cand list 'List shipped playbooks and those on the search path'
            cand show 'Show a playbook''s steps, conditions, and what it could change'
            cand facts 'Show the system facts that conditions and templates use'
            cand report 'Work with run reports: `report merge` summarises many machines'' JSON reports'
            cand history 'The run history on this machine: recent runs, a run''s full report, statistics per playbook and cause, export'
            cand note 'Attach a note (what was done, what fixed it) to the latest run, or to a ticket''s'
            cand suggest 'Which playbook fits what the user said: `suggest "my printer wont print"`'
            cand redact 'Redact files or standard input to standard output with the same engine as bundles and reports (check a snippet before pasting it into a ticket)'
            cand keygen 'Make a minisign key pair for signing playbooks (KEY.key, 0600, and KEY.pub)'
            cand sign 'Sign playbooks: writes PLAYBOOK.minisig next to each (minisign format)'
            cand policy 'The machine policy: which playbooks this machine runs'
            cand schema 'Print the JSON Schema of the playbook format (or, with --report, of the JSON report)'
            cand completions 'Print shell completions'
            cand __complete 'Values for shell completion (used by the completion scripts)'
            cand man 'Print a man page (roff): supportctl''s, or a subcommand''s (`man run`, `man report merge`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;run'= {
            cand --var 'Set a playbook variable (repeatable): --var ticket=INC0042'
            cand --ticket 'The ticket this run is for (e.g. INC0042): shown in the reports and available to playbooks as {{ ticket }} (same as --var ticket=)'
            cand --only 'Run only steps with this id or tag (repeatable)'
            cand --skip 'Skip steps with this id or tag (repeatable)'
            cand --format 'Output format on stdout'
            cand --report 'Also write the report to a file (repeatable): --report json=report.json'
            cand -j 'How many independent read-only steps that compute or read disks may run at once'
            cand --jobs 'How many independent read-only steps that compute or read disks may run at once'
            cand --net-jobs 'How many independent network checks (dns, tcp, http, ping) may run at once: they wait, not compute. Lowered to what the open-file limit allows (`ulimit -n`)'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand --dry-run 'Show what would change; change nothing (fixes, cleanups and `changes` commands do not run)'
            cand --strict 'Treat warnings as failures (exit 1)'
            cand --no-history 'Do not record this run in the history (`supportctl history`)'
            cand -q 'Print only steps that need attention and the summary'
            cand --quiet 'Print only steps that need attention and the summary'
            cand -v 'Print measurements, attempts and output for every step'
            cand --verbose 'Print measurements, attempts and output for every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'supportctl;check'= {
            cand --var 'Set a playbook variable (repeatable): --var ticket=INC0042'
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;list'= {
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;show'= {
            cand --var 'Set a playbook variable (repeatable): --var ticket=INC0042'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;facts'= {
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;report'= {
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand merge 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;report;merge'= {
            cand --format 'Output format (CSV: one row per host and step)'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;report;help'= {
            cand merge 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;report;help;merge'= {
        }
        &'supportctl;report;help;help'= {
        }
        &'supportctl;history'= {
            cand --ticket 'Runs for this ticket'
            cand --playbook 'Runs of this playbook'
            cand --since 'Runs started within this long (7d, 12h) or since this date (2026-11-01)'
            cand --status 'Runs that ended this way (their worst step)'
            cand -n 'At most this many runs, newest first'
            cand --limit 'At most this many runs, newest first'
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'A stored run''s full report, rendered in any run format (with its notes)'
            cand stats 'Per playbook and per cause: how often, how often the fixes worked, the median service time'
            cand export 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;history;show'= {
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'supportctl;history;stats'= {
            cand --since 'Only runs started within this long (30d) or since this date'
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;history;export'= {
            cand --format 'Output format'
            cand --since 'Only runs started within this long (30d) or since this date'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;history;help'= {
            cand show 'A stored run''s full report, rendered in any run format (with its notes)'
            cand stats 'Per playbook and per cause: how often, how often the fixes worked, the median service time'
            cand export 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;history;help;show'= {
        }
        &'supportctl;history;help;stats'= {
        }
        &'supportctl;history;help;export'= {
        }
        &'supportctl;history;help;help'= {
        }
        &'supportctl;note'= {
            cand --ticket 'The ticket''s latest run (or, with no run for it yet, the ticket itself)'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;suggest'= {
            cand -n 'How many playbooks to suggest'
            cand --limit 'How many playbooks to suggest'
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;redact'= {
            cand --hostname 'Another host name to pseudonymise (repeatable)'
            cand --username 'Another user name to pseudonymise (repeatable)'
            cand --keyword 'A word removed wherever it appears, case-insensitive (repeatable)'
            cand --pattern 'A regular expression whose matches are removed (repeatable)'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand --no-builtin 'Leave out the built-in secret rules (only the flags below run)'
            cand --emails 'Pseudonymise e-mail addresses'
            cand --ip 'Pseudonymise IPv4 and IPv6 addresses'
            cand --mac 'Pseudonymise MAC addresses'
            cand --hostnames 'Pseudonymise this machine''s host name (and each --hostname)'
            cand --usernames 'Pseudonymise the current user''s name and names in home-folder paths (and each --username)'
            cand --stats 'Print how many values each rule replaced to standard error'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;keygen'= {
            cand --dir 'Folder for the key files'
            cand --name 'Base name of the key files'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand --force 'Replace existing key files'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;sign'= {
            cand -k 'The secret key (minisign format; encrypted keys read their password from SUPPORTCTL_KEY_PASSWORD)'
            cand --key 'The secret key (minisign format; encrypted keys read their password from SUPPORTCTL_KEY_PASSWORD)'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;policy'= {
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Print the policy in force and where it came from'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;policy;show'= {
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;policy;help'= {
            cand show 'Print the policy in force and where it came from'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;policy;help;show'= {
        }
        &'supportctl;policy;help;help'= {
        }
        &'supportctl;schema'= {
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand --report 'The schema of the JSON run report instead of the playbook format'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;completions'= {
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;__complete'= {
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'supportctl;man'= {
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'supportctl;help'= {
            cand run 'Run playbooks (a path, or the name of a shipped or search-path playbook)'
            cand check 'Validate playbooks without running them; reports every error in every file'
            cand list 'List shipped playbooks and those on the search path'
            cand show 'Show a playbook''s steps, conditions, and what it could change'
            cand facts 'Show the system facts that conditions and templates use'
            cand report 'Work with run reports: `report merge` summarises many machines'' JSON reports'
            cand history 'The run history on this machine: recent runs, a run''s full report, statistics per playbook and cause, export'
            cand note 'Attach a note (what was done, what fixed it) to the latest run, or to a ticket''s'
            cand suggest 'Which playbook fits what the user said: `suggest "my printer wont print"`'
            cand redact 'Redact files or standard input to standard output with the same engine as bundles and reports (check a snippet before pasting it into a ticket)'
            cand keygen 'Make a minisign key pair for signing playbooks (KEY.key, 0600, and KEY.pub)'
            cand sign 'Sign playbooks: writes PLAYBOOK.minisig next to each (minisign format)'
            cand policy 'The machine policy: which playbooks this machine runs'
            cand schema 'Print the JSON Schema of the playbook format (or, with --report, of the JSON report)'
            cand completions 'Print shell completions'
            cand __complete 'Values for shell completion (used by the completion scripts)'
            cand man 'Print a man page (roff): supportctl''s, or a subcommand''s (`man run`, `man report merge`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'supportctl;help;run'= {
        }
        &'supportctl;help;check'= {
        }
        &'supportctl;help;list'= {
        }
        &'supportctl;help;show'= {
        }
        &'supportctl;help;facts'= {
        }
        &'supportctl;help;report'= {
            cand merge 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass'
        }
        &'supportctl;help;report;merge'= {
        }
        &'supportctl;help;history'= {
            cand show 'A stored run''s full report, rendered in any run format (with its notes)'
            cand stats 'Per playbook and per cause: how often, how often the fixes worked, the median service time'
            cand export 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)'
        }
        &'supportctl;help;history;show'= {
        }
        &'supportctl;help;history;stats'= {
        }
        &'supportctl;help;history;export'= {
        }
        &'supportctl;help;note'= {
        }
        &'supportctl;help;suggest'= {
        }
        &'supportctl;help;redact'= {
        }
        &'supportctl;help;keygen'= {
        }
        &'supportctl;help;sign'= {
        }
        &'supportctl;help;policy'= {
            cand show 'Print the policy in force and where it came from'
        }
        &'supportctl;help;policy;show'= {
        }
        &'supportctl;help;schema'= {
        }
        &'supportctl;help;completions'= {
        }
        &'supportctl;help;__complete'= {
        }
        &'supportctl;help;man'= {
        }
        &'supportctl;help;help'= {
        }
    ]
    $completions[$command]
}
