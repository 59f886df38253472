//! The streaming fold behind `report merge`: each report cut down to a
//! compact run record as it arrives (see the module docs of `merge`), the
//! newest run per host and playbook set kept, duplicates and older runs
//! noted, and the groupings by step and conclusion built at the end.

use super::*;

/// Strings seen in many reports (playbook names, step ids and names, reason
/// codes, conclusions), each kept once and referred to by index.
#[derive(Default)]
struct Strings {
    ids: HashMap<Arc<str>, u32>,
    list: Vec<Arc<str>>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.list.len() as u32;
        let shared: Arc<str> = s.into();
        self.list.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }
}

/// What a [`Fold`] keeps of a run it counts.
struct Run {
    source: String,
    machine: String,
    playbooks: Vec<String>,
    host: Arc<str>,
    run_id: String,
    started_at: String,
    exit_code: i32,
    summary: Summary,
    unsigned: Vec<String>,
    steps: StepNotes,
    /// (playbook, cause id, summary, cleared), the strings by index.
    conclusions: Vec<(u32, Option<u32>, u32, bool)>,
}

impl Run {
    /// Whether this run replaces `other` as its host's newest: started later,
    /// or at the same time with the smaller run id.
    fn newer_than(&self, other: &Run) -> bool {
        (self.started_at.as_str(), other.run_id.as_str())
            > (other.started_at.as_str(), self.run_id.as_str())
    }
}

/// An older run of a host's playbooks: kept only to be named.
struct Older {
    source: String,
    run_id: String,
    started_at: String,
}

/// The newest run of one machine's set of playbooks, and the older ones.
struct Group {
    newest: Run,
    older: Vec<Older>,
}

/// The merge, one report at a time: [`Fold::add`] each report (or
/// [`Fold::add_file`] each file), then [`Fold::finish`]. Only the newest run
/// of each machine and set of playbooks is kept, compactly (see the module
/// documentation).
pub struct Fold {
    strings: Strings,
    /// (playbook, step id, step name) by index, and the index of each.
    step_list: Vec<(u32, u32, u32)>,
    step_ids: HashMap<(u32, u32, u32), u32>,
    /// run_id → the file it was first read from.
    seen: HashMap<String, String>,
    groups: BTreeMap<(String, Vec<String>), Group>,
    /// Inputs and files left out, in order.
    problems: Vec<Problem>,
    duplicates: Vec<Problem>,
    keep_notes: bool,
    reports: usize,
    buf: Vec<u8>,
}

impl Fold {
    /// An empty merge, starting with the `problems` already found (inputs
    /// that matched nothing).
    pub fn new(problems: Vec<Problem>) -> Fold {
        Fold {
            strings: Strings::default(),
            step_list: Vec::new(),
            step_ids: HashMap::new(),
            seen: HashMap::new(),
            groups: BTreeMap::new(),
            problems,
            duplicates: Vec::new(),
            keep_notes: true,
            reports: 0,
            buf: Vec::new(),
        }
    }

    /// Whether to keep what each step said on each host — status, reason
    /// and message, [`Merged::notes`] — which only CSV shows (the default
    /// keeps them; without, [`HostRun::steps`] is empty).
    pub fn keep_notes(&mut self, keep: bool) {
        self.keep_notes = keep;
    }

    /// Reports read so far (duplicates and older runs included).
    pub fn reports(&self) -> usize {
        self.reports
    }

    /// The inputs and files left out so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Lists a file or input left out.
    pub fn reject(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Reads one file (a report or a history export) and folds in its runs;
    /// a file that cannot be merged is listed as a problem, and none of an
    /// export counts when one of its runs is invalid.
    pub fn add_file(&mut self, path: &Path) {
        let source = path.display().to_string();
        let mut buf = std::mem::take(&mut self.buf);
        let mut runs = Vec::new();
        let read = read_each(path, &mut buf, &mut |report| {
            runs.push(self.compact(source.clone(), report));
        });
        self.buf = buf;
        match read {
            Ok(()) => runs.into_iter().for_each(|run| self.insert(run)),
            Err(problem) => self.reject(Problem {
                source,
                problem,
                rejected: true,
            }),
        }
    }

    /// Folds in one report, read from `source`.
    pub fn add(&mut self, source: impl Into<String>, report: Report) {
        if let Some(first) = self.seen.get(&report.run_id) {
            self.reports += 1;
            self.duplicates
                .push(duplicate(source.into(), first, &report.run_id));
            return;
        }
        let run = self.compact(source.into(), report);
        self.insert(run);
    }

    /// What is kept of `report`.
    fn compact(&mut self, source: String, report: Report) -> Run {
        let keep = self.keep_notes;
        let length = if keep {
            report.steps().map(|(_, s)| s.message.len()).sum()
        } else {
            0
        };
        let mut steps = StepNotes {
            text: String::with_capacity(length),
            facts: Vec::with_capacity(report.steps().count()),
        };
        for p in &report.playbooks {
            let playbook = self.strings.id(&p.name);
            for s in &p.steps {
                let described = (playbook, self.strings.id(&s.id), self.strings.id(&s.name));
                let step = match self.step_ids.get(&described) {
                    Some(&i) => i,
                    None => {
                        let i = self.step_list.len() as u32;
                        self.step_list.push(described);
                        self.step_ids.insert(described, i);
                        i
                    }
                };
                if keep {
                    steps.text.push_str(&s.message);
                }
                steps.facts.push(StepFact {
                    step,
                    reason: s
                        .reason
                        .as_deref()
                        .map_or(NO_REASON, |r| self.strings.id(r)),
                    end: steps.text.len() as u32,
                    status: s.status,
                });
            }
        }
        let conclusions = report
            .conclusions
            .iter()
            .map(|c| {
                (
                    self.strings.id(&c.playbook),
                    c.id.as_deref().map(|id| self.strings.id(id)),
                    self.strings.id(&c.summary),
                    c.cleared,
                )
            })
            .collect();
        let unsigned = report
            .playbooks
            .iter()
            .filter(|p| p.signature.as_ref().is_some_and(|s| s.status == "unsigned"))
            .map(|p| p.name.clone())
            .collect();
        let machine = machine_key(&report);
        let Report {
            run_id,
            started_at,
            exit_code,
            summary,
            host,
            playbooks,
            ..
        } = report;
        Run {
            source,
            machine,
            // Not `into_iter()`: collected in place, the list would keep the
            // reports' allocation (about 1 KB a run).
            playbooks: playbooks.iter().map(|p| p.name.clone()).collect(),
            host: host.hostname.into(),
            run_id,
            started_at,
            exit_code,
            summary,
            unsigned,
            steps,
            conclusions,
        }
    }

    /// Counts `run`: once per run id; the newest of its machine's runs of
    /// the same playbooks.
    fn insert(&mut self, mut run: Run) {
        self.reports += 1;
        if let Some(first) = self.seen.get(&run.run_id) {
            self.duplicates
                .push(duplicate(run.source, first, &run.run_id));
            return;
        }
        self.seen.insert(run.run_id.clone(), run.source.clone());
        let key = (
            std::mem::take(&mut run.machine),
            std::mem::take(&mut run.playbooks),
        );
        match self.groups.entry(key) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(Group {
                    newest: run,
                    older: Vec::new(),
                });
            }
            std::collections::btree_map::Entry::Occupied(e) => {
                let group = e.into_mut();
                let older = if run.newer_than(&group.newest) {
                    std::mem::replace(&mut group.newest, run)
                } else {
                    run
                };
                group.older.push(Older {
                    source: older.source,
                    run_id: older.run_id,
                    started_at: older.started_at,
                });
            }
        }
    }

    /// The merged view of everything folded in.
    pub fn finish(self) -> Merged {
        let Fold {
            strings,
            step_list,
            groups,
            mut problems,
            duplicates,
            keep_notes,
            ..
        } = self;
        let name = |i: u32| &*strings.list[i as usize];
        problems.extend(duplicates);
        let mut hosts = Vec::with_capacity(groups.len());
        let mut steps: Vec<Across> = Vec::new();
        // Step description → index in `steps`; (playbook, step id) → the same.
        let mut placed: Vec<u32> = vec![u32::MAX; step_list.len()];
        let mut by_id: HashMap<(u32, u32), u32> = HashMap::new();
        // First the steps' order (of first appearance) and how many hosts
        // each list will hold, so that every list is allocated once.
        for group in groups.values() {
            for fact in &group.newest.steps.facts {
                let described = fact.step as usize;
                if placed[described] == u32::MAX {
                    let (playbook, id, _) = step_list[described];
                    placed[described] = *by_id.entry((playbook, id)).or_insert_with(|| {
                        steps.push(Across::new(step_list[described], &strings.list));
                        steps.len() as u32 - 1
                    });
                }
                let entry = &mut steps[placed[described] as usize];
                entry.counts[fact.status as usize] += 1;
                if fact.reason != NO_REASON && fact.status != Status::Skipped {
                    match entry.reasons.iter_mut().find(|(r, ..)| *r == fact.reason) {
                        Some((_, count, _)) => *count += 1,
                        None => entry.reasons.push((fact.reason, 1, Vec::new())),
                    }
                }
            }
        }
        for entry in &mut steps {
            for (list, count) in entry.hosts.iter_mut().zip(entry.counts) {
                list.reserve_exact(count);
            }
            for (_, count, list) in &mut entry.reasons {
                list.reserve_exact(*count);
            }
        }
        let mut summary = Summary::default();
        let mut conclusions: BTreeMap<(Arc<str>, Arc<str>), ConclusionAcross> = BTreeMap::new();
        for ((machine, playbooks), group) in groups {
            let Group {
                newest: mut run,
                mut older,
            } = group;
            let host = HostName(run.host.clone());
            older.sort_by(|a, b| {
                (b.started_at.as_str(), a.run_id.as_str())
                    .cmp(&(a.started_at.as_str(), b.run_id.as_str()))
            });
            for o in older {
                problems.push(Problem {
                    source: o.source,
                    problem: format!(
                        "an older run of {} on {host} ({}, started {}); the newest ({}) counts",
                        playbooks.join(", "),
                        o.run_id,
                        o.started_at,
                        run.run_id
                    ),
                    rejected: false,
                });
            }
            summary.add(&run.summary);
            for fact in &mut run.steps.facts {
                fact.step = placed[fact.step as usize];
                let entry = &mut steps[fact.step as usize];
                entry.hosts[fact.status as usize].push(host.clone());
                if fact.reason != NO_REASON
                    && fact.status != Status::Skipped
                    && let Some((.., list)) =
                        entry.reasons.iter_mut().find(|(r, ..)| *r == fact.reason)
                {
                    list.push(host.clone());
                }
            }
            if keep_notes {
                run.steps.sort();
            } else {
                run.steps = StepNotes::default();
            }
            for &(playbook, id, text, cleared) in &run.conclusions {
                let key = (
                    strings.list[playbook as usize].clone(),
                    id.map_or_else(|| Arc::from(""), |i| strings.list[i as usize].clone()),
                );
                let entry = conclusions.entry(key).or_insert_with(|| ConclusionAcross {
                    playbook: name(playbook).to_string(),
                    id: id.map(|i| name(i).to_string()),
                    summary: name(text).to_string(),
                    ..Default::default()
                });
                entry.hosts.push(host.clone());
                if cleared {
                    entry.cleared.push(host.clone());
                }
            }
            hosts.push(HostRun {
                host: run.host.to_string(),
                machine,
                playbooks,
                run_id: run.run_id,
                started_at: run.started_at,
                exit_code: run.exit_code,
                summary: run.summary,
                source: run.source,
                unsigned: run.unsigned,
                steps: run.steps,
            });
        }
        let steps = steps
            .into_iter()
            .map(|s| s.into_step(&strings.list))
            .collect();
        let mut conclusions: Vec<ConclusionAcross> = conclusions.into_values().collect();
        conclusions.sort_by_key(|c| std::cmp::Reverse(c.hosts.len()));
        Merged {
            schema_version: SCHEMA_VERSION,
            hosts,
            steps,
            conclusions,
            summary,
            problems,
            strings: strings.list,
        }
    }
}

/// A [`StepAcross`] being built: hosts by status (an array indexed by
/// `status as usize`), hosts by reason, and how many each will hold.
struct Across {
    step: StepAcross,
    counts: [usize; 6],
    hosts: [Vec<HostName>; 6],
    reasons: Vec<(u32, usize, Vec<HostName>)>,
}

impl Across {
    fn new((playbook, id, name): (u32, u32, u32), strings: &[Arc<str>]) -> Across {
        let text = |i: u32| &*strings[i as usize];
        Across {
            step: StepAcross {
                playbook: text(playbook).to_string(),
                step: text(id).to_string(),
                name: text(name).to_string(),
                ..Default::default()
            },
            counts: [0; 6],
            hosts: Default::default(),
            reasons: Vec::new(),
        }
    }

    fn into_step(self, strings: &[Arc<str>]) -> StepAcross {
        let mut step = self.step;
        for (i, hosts) in self.hosts.into_iter().enumerate() {
            if !hosts.is_empty() {
                step.hosts
                    .insert(Status::ALL[i].as_str().to_string(), hosts);
            }
        }
        for (reason, _, hosts) in self.reasons {
            step.reasons
                .insert(strings[reason as usize].to_string(), hosts);
        }
        step
    }
}

fn duplicate(source: String, first: &str, run_id: &str) -> Problem {
    Problem {
        source,
        problem: format!("duplicate of {first} (same run_id {run_id}); counted once"),
        rejected: false,
    }
}

/// What identifies a machine across its reports.
fn machine_key(report: &Report) -> String {
    if report.host.machine_id.is_empty() {
        format!("host:{}", report.host.hostname)
    } else {
        format!("id:{}", report.host.machine_id)
    }
}
