
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'supportctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'supportctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'supportctl' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run playbooks (a path, or the name of a shipped or search-path playbook)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate playbooks without running them; reports every error in every file')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List shipped playbooks and those on the search path')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a playbook''s steps, conditions, and what it could change')
            [CompletionResult]::new('facts', 'facts', [CompletionResultType]::ParameterValue, 'Show the system facts that conditions and templates use')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Work with run reports: `report merge` summarises many machines'' JSON reports')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'The run history on this machine: recent runs, a run''s full report, statistics per playbook and cause, export')
            [CompletionResult]::new('note', 'note', [CompletionResultType]::ParameterValue, 'Attach a note (what was done, what fixed it) to the latest run, or to a ticket''s')
            [CompletionResult]::new('suggest', 'suggest', [CompletionResultType]::ParameterValue, 'Which playbook fits what the user said: `suggest "my printer wont print"`')
            [CompletionResult]::new('redact', 'redact', [CompletionResultType]::ParameterValue, 'Redact files or standard input to standard output with the same engine as bundles and reports (check a snippet before pasting it into a ticket)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Make a minisign key pair for signing playbooks (KEY.key, 0600, and KEY.pub)')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Sign playbooks: writes PLAYBOOK.minisig next to each (minisign format)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'The machine policy: which playbooks this machine runs')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the playbook format (or, with --report, of the JSON report)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Values for shell completion (used by the completion scripts)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): supportctl''s, or a subcommand''s (`man run`, `man report merge`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;run' {
            [CompletionResult]::new('--var', '--var', [CompletionResultType]::ParameterName, 'Set a playbook variable (repeatable): --var ticket=INC0042')
            [CompletionResult]::new('--ticket', '--ticket', [CompletionResultType]::ParameterName, 'The ticket this run is for (e.g. INC0042): shown in the reports and available to playbooks as {{ ticket }} (same as --var ticket=)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only steps with this id or tag (repeatable)')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Skip steps with this id or tag (repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report to a file (repeatable): --report json=report.json')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'How many independent read-only steps that compute or read disks may run at once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many independent read-only steps that compute or read disks may run at once')
            [CompletionResult]::new('--net-jobs', '--net-jobs', [CompletionResultType]::ParameterName, 'How many independent network checks (dns, tcp, http, ping) may run at once: they wait, not compute. Lowered to what the open-file limit allows (`ulimit -n`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change; change nothing (fixes, cleanups and `changes` commands do not run)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat warnings as failures (exit 1)')
            [CompletionResult]::new('--no-history', '--no-history', [CompletionResultType]::ParameterName, 'Do not record this run in the history (`supportctl history`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only steps that need attention and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only steps that need attention and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print measurements, attempts and output for every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print measurements, attempts and output for every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'supportctl;check' {
            [CompletionResult]::new('--var', '--var', [CompletionResultType]::ParameterName, 'Set a playbook variable (repeatable): --var ticket=INC0042')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;list' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;show' {
            [CompletionResult]::new('--var', '--var', [CompletionResultType]::ParameterName, 'Set a playbook variable (repeatable): --var ticket=INC0042')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;facts' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;report' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;report;merge' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (CSV: one row per host and step)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;report;help' {
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;report;help;merge' {
            break
        }
        'supportctl;report;help;help' {
            break
        }
        'supportctl;history' {
            [CompletionResult]::new('--ticket', '--ticket', [CompletionResultType]::ParameterName, 'Runs for this ticket')
            [CompletionResult]::new('--playbook', '--playbook', [CompletionResultType]::ParameterName, 'Runs of this playbook')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Runs started within this long (7d, 12h) or since this date (2026-11-01)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Runs that ended this way (their worst step)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many runs, newest first')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many runs, newest first')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'A stored run''s full report, rendered in any run format (with its notes)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Per playbook and per cause: how often, how often the fixes worked, the median service time')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;history;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'supportctl;history;stats' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only runs started within this long (30d) or since this date')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;history;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only runs started within this long (30d) or since this date')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;history;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'A stored run''s full report, rendered in any run format (with its notes)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Per playbook and per cause: how often, how often the fixes worked, the median service time')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;history;help;show' {
            break
        }
        'supportctl;history;help;stats' {
            break
        }
        'supportctl;history;help;export' {
            break
        }
        'supportctl;history;help;help' {
            break
        }
        'supportctl;note' {
            [CompletionResult]::new('--ticket', '--ticket', [CompletionResultType]::ParameterName, 'The ticket''s latest run (or, with no run for it yet, the ticket itself)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;suggest' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many playbooks to suggest')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many playbooks to suggest')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;redact' {
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'Another host name to pseudonymise (repeatable)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Another user name to pseudonymise (repeatable)')
            [CompletionResult]::new('--keyword', '--keyword', [CompletionResultType]::ParameterName, 'A word removed wherever it appears, case-insensitive (repeatable)')
            [CompletionResult]::new('--pattern', '--pattern', [CompletionResultType]::ParameterName, 'A regular expression whose matches are removed (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('--no-builtin', '--no-builtin', [CompletionResultType]::ParameterName, 'Leave out the built-in secret rules (only the flags below run)')
            [CompletionResult]::new('--emails', '--emails', [CompletionResultType]::ParameterName, 'Pseudonymise e-mail addresses')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'Pseudonymise IPv4 and IPv6 addresses')
            [CompletionResult]::new('--mac', '--mac', [CompletionResultType]::ParameterName, 'Pseudonymise MAC addresses')
            [CompletionResult]::new('--hostnames', '--hostnames', [CompletionResultType]::ParameterName, 'Pseudonymise this machine''s host name (and each --hostname)')
            [CompletionResult]::new('--usernames', '--usernames', [CompletionResultType]::ParameterName, 'Pseudonymise the current user''s name and names in home-folder paths (and each --username)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print how many values each rule replaced to standard error')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;keygen' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Folder for the key files')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Base name of the key files')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing key files')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;sign' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The secret key (minisign format; encrypted keys read their password from SUPPORTCTL_KEY_PASSWORD)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The secret key (minisign format; encrypted keys read their password from SUPPORTCTL_KEY_PASSWORD)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;policy' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the policy in force and where it came from')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;policy;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;policy;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the policy in force and where it came from')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;policy;help;show' {
            break
        }
        'supportctl;policy;help;help' {
            break
        }
        'supportctl;schema' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'The schema of the JSON run report instead of the playbook format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;__complete' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'supportctl;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'supportctl;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run playbooks (a path, or the name of a shipped or search-path playbook)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate playbooks without running them; reports every error in every file')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List shipped playbooks and those on the search path')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a playbook''s steps, conditions, and what it could change')
            [CompletionResult]::new('facts', 'facts', [CompletionResultType]::ParameterValue, 'Show the system facts that conditions and templates use')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Work with run reports: `report merge` summarises many machines'' JSON reports')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'The run history on this machine: recent runs, a run''s full report, statistics per playbook and cause, export')
            [CompletionResult]::new('note', 'note', [CompletionResultType]::ParameterValue, 'Attach a note (what was done, what fixed it) to the latest run, or to a ticket''s')
            [CompletionResult]::new('suggest', 'suggest', [CompletionResultType]::ParameterValue, 'Which playbook fits what the user said: `suggest "my printer wont print"`')
            [CompletionResult]::new('redact', 'redact', [CompletionResultType]::ParameterValue, 'Redact files or standard input to standard output with the same engine as bundles and reports (check a snippet before pasting it into a ticket)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Make a minisign key pair for signing playbooks (KEY.key, 0600, and KEY.pub)')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Sign playbooks: writes PLAYBOOK.minisig next to each (minisign format)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'The machine policy: which playbooks this machine runs')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the playbook format (or, with --report, of the JSON report)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Values for shell completion (used by the completion scripts)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): supportctl''s, or a subcommand''s (`man run`, `man report merge`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'supportctl;help;run' {
            break
        }
        'supportctl;help;check' {
            break
        }
        'supportctl;help;list' {
            break
        }
        'supportctl;help;show' {
            break
        }
        'supportctl;help;facts' {
            break
        }
        'supportctl;help;report' {
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge the JSON reports of many machines into one summary: per host pass/warn/fail counts, per step which hosts did not pass')
            break
        }
        'supportctl;help;report;merge' {
            break
        }
        'supportctl;help;history' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'A stored run''s full report, rendered in any run format (with its notes)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Per playbook and per cause: how often, how often the fixes worked, the median service time')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)')
            break
        }
        'supportctl;help;history;show' {
            break
        }
        'supportctl;help;history;stats' {
            break
        }
        'supportctl;help;history;export' {
            break
        }
        'supportctl;help;note' {
            break
        }
        'supportctl;help;suggest' {
            break
        }
        'supportctl;help;redact' {
            break
        }
        'supportctl;help;keygen' {
            break
        }
        'supportctl;help;sign' {
            break
        }
        'supportctl;help;policy' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the policy in force and where it came from')
            break
        }
        'supportctl;help;policy;show' {
            break
        }
        'supportctl;help;schema' {
            break
        }
        'supportctl;help;completions' {
            break
        }
        'supportctl;help;__complete' {
            break
        }
        'supportctl;help;man' {
            break
        }
        'supportctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
