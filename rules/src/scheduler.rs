//! The scheduler inside `bannin serve`: runs each enabled rule on its
//! schedule over event-time windows (whether a rule is enabled — the
//! configuration or an admin's run-time switch, [`crate::state`] — is
//! read at every tick, so a switch takes effect without a restart), so records that arrive up to the
//! rule's lateness late are still seen, and nothing evaluated twice makes a
//! second alert (alert ids are deterministic and the store merges).
//!
//! Per rule, `settled_until` (in [`RunLog`]) is the watermark: event time
//! before it was evaluated after its lateness had passed. A run at `now`
//! covers `[settled_until − window, now)` and then settles `now −
//! lateness`. After downtime the missed range is evaluated in steps and
//! written to the gap log, closed once caught up; a range older than the
//! catch-up limit is logged as a gap that stays open.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::params::Window;
use crate::runs::{Gap, Override, RunLog, RunOutcome};
use crate::state::enablement;
use crate::store::Stored;
use crate::{AlertStore, Evaluation, Rule, RulesError, Sessions, Span, Tuning, evaluate};

/// How far back the scheduler catches up, and in what steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUp {
    /// Ranges older than this before `now` are not evaluated after
    /// downtime (logged as an open gap; `bannin rules run --from` can
    /// still evaluate them).
    pub limit: Span,
    /// Each catch-up query covers at most this much event time.
    pub step: Span,
}

impl Default for CatchUp {
    fn default() -> Self {
        Self {
            limit: Span::from_secs(7 * 86_400),
            step: Span::from_secs(3_600),
        }
    }
}

/// What one scheduled run of a rule did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleRun {
    pub rule_id: String,
    /// Windows evaluated (more than one when catching up).
    pub windows: usize,
    pub incidents: usize,
    pub new: usize,
    pub updated: usize,
    pub rows_scanned: u64,
    pub error: Option<String>,
}

impl RuleRun {
    /// Stores the alerts of one evaluation of `rule` and counts them.
    pub fn add(
        &mut self,
        store: &mut AlertStore,
        evaluation: &Evaluation,
        rule: &Rule,
    ) -> Result<(), RulesError> {
        self.windows += 1;
        self.rows_scanned += evaluation.rows_scanned;
        self.incidents += evaluation.alerts.len();
        for alert in &evaluation.alerts {
            match store.record(alert, rule.suppress.chrono())?.stored {
                Stored::New => self.new += 1,
                Stored::Updated => self.updated += 1,
                Stored::Unchanged => {}
            }
        }
        Ok(())
    }
}

/// Runs the enabled rules on their schedules.
pub struct Scheduler {
    rules: Vec<Rule>,
    tuning: Tuning,
    /// The run-time switches as last read (kept if a read fails).
    overrides: BTreeMap<String, Override>,
    sessions: Arc<dyn Sessions>,
    store: AlertStore,
    log: RunLog,
    catch_up: CatchUp,
    next_due: HashMap<String, DateTime<Utc>>,
}

impl Scheduler {
    /// A scheduler over `rules`, keeping alerts and run state in the
    /// SQLite file at `db`. Rules that are disabled stay known and are
    /// skipped at each tick while they are off.
    pub fn new(
        rules: Vec<Rule>,
        tuning: Tuning,
        sessions: Arc<dyn Sessions>,
        db: &Path,
        catch_up: CatchUp,
    ) -> Result<Self, RulesError> {
        tuning.check(&rules)?;
        let log = RunLog::open(db)?;
        Ok(Self {
            overrides: log.overrides()?,
            rules,
            tuning,
            sessions,
            store: AlertStore::open(db)?,
            log,
            catch_up,
            next_due: HashMap::new(),
        })
    }

    /// The rules it knows, enabled or not.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// How many of its rules are enabled now.
    pub fn enabled_count(&self) -> usize {
        self.rules.iter().filter(|r| self.enabled(r)).count()
    }

    fn enabled(&self, rule: &Rule) -> bool {
        enablement(&rule.id, &self.tuning, &self.overrides).enabled
    }

    /// Runs every enabled rule that is due at `now` (all of them the first
    /// time), after reading the run-time switches.
    pub async fn tick(&mut self, now: DateTime<Utc>) -> Vec<RuleRun> {
        match self.log.overrides() {
            Ok(overrides) => self.overrides = overrides,
            Err(error) => {
                tracing::warn!(%error, "cannot read the rule switches; keeping the last ones read");
            }
        }
        let mut runs = Vec::new();
        for index in 0..self.rules.len() {
            let Some(rule) = self.rules.get(index).cloned() else {
                continue;
            };
            if !self.enabled(&rule) {
                continue;
            }
            if self.next_due.get(&rule.id).is_some_and(|due| *due > now) {
                continue;
            }
            self.next_due
                .insert(rule.id.clone(), now + rule.schedule.chrono());
            runs.push(self.run_rule(&rule, now).await);
        }
        runs
    }

    /// Runs until `shutdown` resolves, checking once a second what is due.
    pub async fn run(mut self, shutdown: impl std::future::Future<Output = ()>) {
        let mut clock = tokio::time::interval(std::time::Duration::from_secs(1));
        clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = clock.tick() => {
                    for run in self.tick(Utc::now()).await {
                        match &run.error {
                            Some(error) => tracing::warn!(rule = %run.rule_id, %error, "rule run failed"),
                            None if run.new + run.updated > 0 => tracing::info!(
                                rule = %run.rule_id, new = run.new, updated = run.updated,
                                rows_scanned = run.rows_scanned, "rule raised alerts"),
                            None => tracing::debug!(rule = %run.rule_id, rows_scanned = run.rows_scanned, "rule ran"),
                        }
                    }
                }
            }
        }
    }

    /// Runs `rule` at `now`: the windows from its settled point (catching
    /// up in steps), alerts stored, the run recorded.
    pub async fn run_rule(&mut self, rule: &Rule, now: DateTime<Utc>) -> RuleRun {
        let started = Instant::now();
        let mut run = RuleRun {
            rule_id: rule.id.clone(),
            ..RuleRun::default()
        };
        let result = self.evaluate_due(rule, now, &mut run).await;
        let outcome = RunOutcome {
            at: now,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            rows_scanned: run.rows_scanned,
            incidents: run.incidents as u64,
            result: result.map_err(|e| e.to_string()),
        };
        if let Err(error) = &outcome.result {
            run.error = Some(error.clone());
        }
        if let Err(e) = self.log.record(&rule.id, &outcome) {
            run.error.get_or_insert_with(|| e.to_string());
        }
        run
    }

    /// Evaluates the due windows; returns the new settled point.
    async fn evaluate_due(
        &mut self,
        rule: &Rule,
        now: DateTime<Utc>,
        run: &mut RuleRun,
    ) -> Result<DateTime<Utc>, RulesError> {
        let lateness = rule.lateness.chrono();
        let settle = now - lateness;
        let first_start = now - lateness - rule.schedule.chrono();
        let mut cursor = match self.log.get(&rule.id)?.and_then(|s| s.settled_until) {
            Some(settled) => settled.min(settle),
            None => first_start,
        };
        let oldest = now - self.catch_up.limit.chrono();
        if cursor < oldest {
            self.log.log_gap(&Gap {
                rule_id: rule.id.clone(),
                from: cursor,
                to: oldest,
                reason: format!(
                    "not evaluated: longer ago than the catch-up limit ({}); run `bannin rules run --rule {} --from … --to …` to evaluate it",
                    self.catch_up.limit, rule.id
                ),
                logged_at: now,
                closed_at: None,
            })?;
            cursor = oldest;
        }
        // Behind by more than one schedule: downtime (or failing runs).
        if cursor < first_start {
            self.log.log_gap(&Gap {
                rule_id: rule.id.clone(),
                from: cursor,
                to: first_start,
                reason: "not evaluated on time (bannin was not running, or the rule was \
                         disabled or failed); caught up"
                    .into(),
                logged_at: now,
                closed_at: None,
            })?;
        }
        let step = self.catch_up.step.chrono();
        loop {
            let end = (cursor + step).min(now);
            let window = Window {
                start: cursor - rule.window.chrono(),
                end,
            };
            let evaluation =
                evaluate(self.sessions.as_ref(), rule, &self.tuning, window, now).await?;
            run.add(&mut self.store, &evaluation, rule)?;
            if end >= now {
                return Ok(settle);
            }
            // A range well past its lateness is settled as it is done.
            self.log.settle(&rule.id, end.min(settle), now)?;
            cursor = end;
        }
    }
}
