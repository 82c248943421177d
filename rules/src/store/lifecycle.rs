//! What people do with an alert: acknowledge, assign, comment, resolve,
//! mark as false positive, reopen. Every change is written to the history.

use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};

use super::AlertStore;
use super::row::{HistoryRow, format_time, load};
use crate::{Alert, AlertStatus, RulesError};

/// One thing a person does with an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// new → acknowledged.
    Acknowledge,
    /// Sets the assignee; blank text clears it. Any status.
    Assign(String),
    /// Adds a comment. Any status.
    Comment(String),
    /// new / acknowledged → resolved, with an optional reason (a comment).
    Resolve(Option<String>),
    /// new / acknowledged → false_positive, with an optional reason.
    FalsePositive(Option<String>),
    /// resolved / false_positive → acknowledged.
    Reopen,
}

impl Action {
    /// The action's name in the history.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge",
            Action::Assign(_) => "assign",
            Action::Comment(_) => "comment",
            Action::Resolve(_) => "resolve",
            Action::FalsePositive(_) => "false_positive",
            Action::Reopen => "reopen",
        }
    }

    /// For a status change: the statuses it starts from and where it leads.
    pub fn transition(&self) -> Option<(&'static [AlertStatus], AlertStatus)> {
        use AlertStatus::*;
        match self {
            Action::Acknowledge => Some((&[New], Acknowledged)),
            Action::Resolve(_) => Some((&[New, Acknowledged], Resolved)),
            Action::FalsePositive(_) => Some((&[New, Acknowledged], FalsePositive)),
            Action::Reopen => Some((&[Resolved, FalsePositive], Acknowledged)),
            Action::Assign(_) | Action::Comment(_) => None,
        }
    }
}

/// Whether some action takes an alert from `from` to `to`.
pub fn can_transition(from: AlertStatus, to: AlertStatus) -> bool {
    [
        Action::Acknowledge,
        Action::Resolve(None),
        Action::FalsePositive(None),
        Action::Reopen,
    ]
    .iter()
    .filter_map(Action::transition)
    .any(|(starts, target)| target == to && starts.contains(&from))
}

/// Trimmed text, `None` when blank.
fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl AlertStore {
    /// Applies `action` by `actor` at `now` and returns the alert as it is
    /// afterwards. An assignment that changes nothing writes nothing.
    pub fn act(
        &mut self,
        id: &str,
        action: Action,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Alert, RulesError> {
        let rejected = |why: &str| RulesError::Rejected {
            id: id.to_owned(),
            why: why.to_owned(),
        };
        let actor = non_blank(Some(actor)).ok_or_else(|| rejected("an action needs an actor"))?;
        let err = self.err_fn();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let mut alert = load(&tx, id)
            .map_err(&err)?
            .ok_or_else(|| RulesError::NotFound { id: id.to_owned() })?;
        let at = format_time(now);
        let from = alert.status;
        let mut history = HistoryRow {
            alert_id: id,
            at: &at,
            actor,
            action: action.name(),
            from: Some(from),
            to: Some(from),
            detail: None,
        };
        let mut comment = None;
        match &action {
            Action::Assign(name) => {
                let assignee = non_blank(Some(name)).map(str::to_owned);
                if assignee == alert.assignee {
                    return Ok(alert);
                }
                alert.assignee = assignee;
                history.detail = alert.assignee.as_deref();
            }
            Action::Comment(text) => {
                let text = non_blank(Some(text)).ok_or_else(|| rejected("a comment needs text"))?;
                comment = Some(text);
            }
            Action::Acknowledge
            | Action::Resolve(_)
            | Action::FalsePositive(_)
            | Action::Reopen => {
                if let Some((starts, to)) = action.transition() {
                    if !starts.contains(&from) {
                        return Err(RulesError::Transition {
                            id: id.to_owned(),
                            action: action.name(),
                            from,
                            to,
                        });
                    }
                    alert.status = to;
                    history.to = Some(to);
                }
                if let Action::Resolve(reason) | Action::FalsePositive(reason) = &action {
                    comment = non_blank(reason.as_deref());
                }
            }
        }
        if let Some(text) = comment {
            tx.execute(
                "INSERT INTO alert_comments (alert_id, at, actor, text) VALUES (?1, ?2, ?3, ?4)",
                params![id, at, actor, text],
            )
            .map_err(&err)?;
            history.detail = Some(text);
        }
        alert.updated_at.clone_from(&at);
        tx.execute(
            "UPDATE alerts SET status = ?2, assignee = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, alert.status.as_str(), alert.assignee, at],
        )
        .map_err(&err)?;
        history.insert(&tx).map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(alert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AlertStatus::*;

    #[test]
    fn the_transition_table() {
        let allowed = [
            (New, Acknowledged),
            (New, Resolved),
            (New, FalsePositive),
            (Acknowledged, Resolved),
            (Acknowledged, FalsePositive),
            (Resolved, Acknowledged),
            (FalsePositive, Acknowledged),
        ];
        for from in AlertStatus::ALL {
            for to in AlertStatus::ALL {
                assert_eq!(
                    can_transition(from, to),
                    allowed.contains(&(from, to)),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn blank_text_counts_as_none() {
        assert_eq!(non_blank(Some("  ")), None);
        assert_eq!(non_blank(Some(" 誤検知 ")), Some("誤検知"));
        assert_eq!(non_blank(None), None);
    }
}
