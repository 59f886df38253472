//! The streaming fold behind `report merge`: each report cut down to a
//! compact record as it arrives and written to the spill (see the module
//! docs of `merge`), the newest run per host and playbook set kept,
//! duplicates and older runs noted, and the groupings by step and
//! conclusion built at the end from the records read back.

use super::spill::{At, Record, Spill};
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
        self.shared(s).0
    }

    /// `s`'s index, and the string kept.
    fn shared(&mut self, s: &str) -> (u32, Arc<str>) {
        if let Some((shared, &id)) = self.ids.get_key_value(s) {
            return (id, shared.clone());
        }
        let id = self.list.len() as u32;
        let shared: Arc<str> = s.into();
        self.list.push(shared.clone());
        self.ids.insert(shared.clone(), id);
        (id, shared)
    }
}

/// What memory keeps of a run: what decides whether it counts, and where
/// its record is.
pub(super) struct Slot {
    pub run_id: Arc<str>,
    pub started_at: Box<str>,
    /// Index into the fold's sources (the files read).
    pub source: u32,
    pub at: At,
}

impl Slot {
    /// Whether this run replaces `other` as its host's newest: started later,
    /// or at the same time with the smaller run id.
    fn newer_than(&self, other: &Slot) -> bool {
        (&*self.started_at, &*other.run_id) > (&*other.started_at, &*self.run_id)
    }
}

/// A run read, before it is counted.
struct Run {
    machine: Box<str>,
    playbooks: Box<[Arc<str>]>,
    slot: Slot,
}

/// A machine (its key) and the playbooks it ran, by name: what groups
/// runs, and the order hosts are listed in.
type GroupKey = (Box<str>, Box<[Arc<str>]>);

/// The newest run of one machine's set of playbooks, and the older ones.
struct Group {
    newest: Slot,
    older: Vec<Slot>,
}

/// The merge, one report at a time: [`Fold::add`] each report (or
/// [`Fold::add_file`] each file), then [`Fold::finish`]. Only the newest run
/// of each machine and set of playbooks counts (see the module
/// documentation).
pub struct Fold {
    strings: Strings,
    /// (playbook, step id, step name) by index, and the index of each.
    step_list: Vec<(u32, u32, u32)>,
    step_ids: HashMap<(u32, u32, u32), u32>,
    /// The files (or sources) read, each once.
    sources: Texts,
    /// run_id → the source it was first read from.
    seen: HashMap<Arc<str>, u32>,
    groups: BTreeMap<GroupKey, Group>,
    /// Inputs and files left out, in order.
    problems: Vec<Problem>,
    duplicates: Vec<Problem>,
    keep_notes: bool,
    reports: usize,
    buf: Vec<u8>,
    spill: Spill,
}

impl Fold {
    /// An empty merge, starting with the `problems` already found (inputs
    /// that matched nothing).
    pub fn new(problems: Vec<Problem>) -> Fold {
        Fold {
            strings: Strings::default(),
            step_list: Vec::new(),
            step_ids: HashMap::new(),
            sources: Texts::default(),
            seen: HashMap::new(),
            groups: BTreeMap::new(),
            problems,
            duplicates: Vec::new(),
            keep_notes: true,
            reports: 0,
            buf: Vec::new(),
            spill: Spill::new(),
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

    /// `source`'s index (the same source twice in a row is kept once).
    fn source(&mut self, source: &str) -> u32 {
        match self.sources.last() {
            Some(last) if last == source => self.sources.ends.len() as u32 - 1,
            _ => self.sources.push(source),
        }
    }

    /// Reads one file (a report or a history export) and folds in its runs;
    /// a file that cannot be merged is listed as a problem, and none of an
    /// export counts when one of its runs is invalid.
    pub fn add_file(&mut self, path: &Path) {
        let name = path.display().to_string();
        let source = self.source(&name);
        let mut buf = std::mem::take(&mut self.buf);
        let mut runs = Vec::new();
        let read = read_each(path, &mut buf, &mut |report| {
            runs.push(self.compact(source, report));
        });
        self.buf = buf;
        match read {
            Ok(()) => runs.into_iter().for_each(|run| self.insert(run)),
            Err(problem) => self.reject(Problem {
                source: name,
                problem,
                rejected: true,
            }),
        }
    }

    /// Folds in one report, read from `source`.
    pub fn add(&mut self, source: impl Into<String>, report: Report) {
        let source = self.source(&source.into());
        if let Some(&first) = self.seen.get(report.run_id.as_str()) {
            self.reports += 1;
            self.duplicates
                .push(self.duplicate(source, first, &report.run_id));
            return;
        }
        let run = self.compact(source, report);
        self.insert(run);
    }

    /// What is kept of `report`: its record written to the spill, the rest
    /// returned.
    fn compact(&mut self, source: u32, report: Report) -> Run {
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
        let at = self.spill.push(&Record {
            host: report.host.hostname.clone(),
            exit_code: report.exit_code,
            summary: report.summary,
            unsigned,
            steps,
            conclusions,
        });
        Run {
            machine: machine_key(&report).into(),
            playbooks: (report.playbooks.iter())
                .map(|p| self.strings.shared(&p.name).1)
                .collect(),
            slot: Slot {
                run_id: report.run_id.into(),
                started_at: report.started_at.into(),
                source,
                at,
            },
        }
    }

    /// Counts `run`: once per run id; the newest of its machine's runs of
    /// the same playbooks.
    fn insert(&mut self, run: Run) {
        self.reports += 1;
        let Run {
            machine,
            playbooks,
            slot,
        } = run;
        if let Some(&first) = self.seen.get(&slot.run_id) {
            let duplicate = self.duplicate(slot.source, first, &slot.run_id);
            self.duplicates.push(duplicate);
            return;
        }
        self.seen.insert(slot.run_id.clone(), slot.source);
        match self.groups.entry((machine, playbooks)) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(Group {
                    newest: slot,
                    older: Vec::new(),
                });
            }
            std::collections::btree_map::Entry::Occupied(e) => {
                let group = e.into_mut();
                let older = if slot.newer_than(&group.newest) {
                    std::mem::replace(&mut group.newest, slot)
                } else {
                    slot
                };
                group.older.push(older);
            }
        }
    }

    fn duplicate(&self, source: u32, first: u32, run_id: &str) -> Problem {
        Problem {
            source: self.sources.get(source).to_string(),
            problem: format!(
                "duplicate of {} (same run_id {run_id}); counted once",
                self.sources.get(first)
            ),
            rejected: false,
        }
    }

    /// The merged view of everything folded in. Fails only when the spill
    /// cannot be written or read back (a full disk).
    pub fn finish(self) -> io::Result<Merged> {
        let Fold {
            strings,
            step_list,
            groups,
            mut problems,
            duplicates,
            keep_notes,
            sources,
            mut spill,
            ..
        } = self;
        spill.seal()?;
        let name = |i: u32| &*strings.list[i as usize];
        problems.extend(duplicates);
        let mut counted = Vec::with_capacity(groups.len());
        let mut names = Texts::default();
        let mut machines = 0;
        let mut steps: Vec<Across> = Vec::new();
        // Step description → index in `steps`; (playbook, step id) → the same.
        let mut placed: Vec<u32> = vec![u32::MAX; step_list.len()];
        let mut by_id: HashMap<(u32, u32), u32> = HashMap::new();
        let mut summary = Summary::default();
        let mut conclusions: BTreeMap<(Arc<str>, Arc<str>), ConclusionAcross> = BTreeMap::new();
        // First each counted run in order: its name, its notes, the steps'
        // order (of first appearance) and how many hosts each list will
        // hold, so that every list is allocated once.
        for (place, ((machine, playbooks), group)) in groups.into_iter().enumerate() {
            let place = place as u32;
            let Group { newest, mut older } = group;
            let run = spill.get(newest.at)?;
            names.push(&run.host);
            let last: Option<&Counted> = counted.last();
            if last.is_none_or(|c| c.machine != machine) {
                machines += 1;
            }
            older.sort_by(|a, b| (&*b.started_at, &*a.run_id).cmp(&(&*a.started_at, &*b.run_id)));
            for o in older {
                problems.push(Problem {
                    source: sources.get(o.source).to_string(),
                    problem: format!(
                        "an older run of {} on {} ({}, started {}); the newest ({}) counts",
                        playbooks.join(", "),
                        run.host,
                        o.run_id,
                        o.started_at,
                        newest.run_id
                    ),
                    rejected: false,
                });
            }
            summary.add(&run.summary);
            for fact in &run.steps.facts {
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
                entry.hosts.push(place);
                if cleared {
                    entry.cleared.push(place);
                }
            }
            counted.push(Counted {
                machine,
                playbooks,
                run: newest,
            });
        }
        for entry in &mut steps {
            entry.step.hosts = ByStatus::with_counts(entry.counts, counted.len());
            for (_, count, list) in &mut entry.reasons {
                list.reserve_exact(*count);
            }
        }
        // Then each run's steps again, into the lists.
        for (place, c) in counted.iter().enumerate() {
            for fact in spill.get(c.run.at)?.steps.facts {
                let entry = &mut steps[placed[fact.step as usize] as usize];
                entry.step.hosts.push(place as u32, fact.status);
                if fact.reason != NO_REASON
                    && fact.status != Status::Skipped
                    && let Some((.., list)) =
                        entry.reasons.iter_mut().find(|(r, ..)| *r == fact.reason)
                {
                    list.push(place as u32);
                }
            }
        }
        let steps = steps
            .into_iter()
            .map(|s| s.into_step(&strings.list))
            .collect();
        let mut conclusions: Vec<ConclusionAcross> = conclusions.into_values().collect();
        conclusions.sort_by_key(|c| std::cmp::Reverse(c.hosts.len()));
        Ok(Merged {
            schema_version: SCHEMA_VERSION,
            counted,
            steps,
            conclusions,
            summary,
            problems,
            names,
            machines,
            strings: strings.list,
            sources,
            placed,
            keep_notes,
            spill,
        })
    }
}

/// A [`StepAcross`] being built: how many hosts ended it in each status (an
/// array indexed by `status as usize`), and hosts by reason with how many
/// each list will hold.
struct Across {
    step: StepAcross,
    counts: [usize; 6],
    reasons: Vec<(u32, usize, Hosts)>,
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
            reasons: Vec::new(),
        }
    }

    fn into_step(self, strings: &[Arc<str>]) -> StepAcross {
        let mut step = self.step;
        for (reason, _, hosts) in self.reasons {
            step.reasons
                .insert(strings[reason as usize].to_string(), hosts);
        }
        step
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
