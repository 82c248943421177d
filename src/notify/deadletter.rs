//! The dead-letter list: deliveries given up after their last attempt
//! (or at once, on an answer that will not change), kept with the last
//! error until an operator retries them.

use anyhow::Result;
use rusqlite::params;
use serde::Serialize;

use super::outbox::{Outbox, now_ms, now_text};

/// One delivery given up.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DeadLetter {
    pub id: i64,
    pub channel: String,
    pub alert_id: String,
    pub tenant: String,
    /// The alert change (`created`, `reopen`, …).
    pub change: String,
    pub attempts: u32,
    /// Secrets (webhook paths, passwords) are never in it.
    pub last_error: String,
    /// When it was given up (RFC 3339, UTC).
    pub at: String,
}

impl Outbox {
    /// Dead letters, newest first; only `tenants`' when given.
    pub fn dead_letters(
        &self,
        tenants: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<DeadLetter>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, channel, alert_id, tenant, json_extract(notice, '$.change'), attempts,
                    coalesce(last_error, ''), updated_at
             FROM notify_outbox WHERE state = 'dead' ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DeadLetter {
                id: r.get(0)?,
                channel: r.get(1)?,
                alert_id: r.get(2)?,
                tenant: r.get(3)?,
                change: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                attempts: r.get(5)?,
                last_error: r.get(6)?,
                at: r.get(7)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let letter = row?;
            if tenants.is_none_or(|t| t.contains(&letter.tenant)) {
                out.push(letter);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Puts dead letter `id` back in the queue with fresh attempts; the
    /// letter as it was, or `None` when there is no such dead letter (of
    /// `tenants`, when given).
    pub fn retry(&self, id: i64, tenants: Option<&[String]>) -> Result<Option<DeadLetter>> {
        let letter = self
            .dead_letters(tenants, usize::MAX)?
            .into_iter()
            .find(|l| l.id == id);
        if letter.is_some() {
            self.conn.execute(
                "UPDATE notify_outbox SET state = 'pending', attempts = 0, next_at = ?2,
                        updated_at = ?3 WHERE id = ?1 AND state = 'dead'",
                params![id, now_ms(), now_text()],
            )?;
        }
        Ok(letter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::notice::tests::mass_mail;

    #[test]
    fn dead_letters_are_listed_by_tenant_and_retried() {
        let dir = tempfile::tempdir().unwrap();
        let mut outbox = Outbox::open(&dir.path().join("notify.sqlite")).unwrap();
        let other = crate::notify::notice::Notice {
            seq: 43,
            tenant: "sakuragaoka".into(),
            ..mass_mail()
        };
        outbox
            .enqueue(43, &[(mass_mail(), "soc".into()), (other, "soc".into())])
            .unwrap();
        let due = outbox.due(now_ms(), 10).unwrap();
        for d in &due {
            outbox
                .failed(
                    d.id,
                    "POST https://hooks.slack.com/…: HTTP 404 Not Found",
                    None,
                )
                .unwrap();
        }
        let all = outbox.dead_letters(None, 100).unwrap();
        assert_eq!(all.len(), 2);
        let kawasaki = outbox
            .dead_letters(Some(&["kawasaki".to_owned()]), 100)
            .unwrap();
        assert_eq!(kawasaki.len(), 1);
        let letter = &kawasaki[0];
        assert_eq!(
            (
                letter.channel.as_str(),
                letter.change.as_str(),
                letter.attempts
            ),
            ("soc", "created", 1)
        );
        assert!(letter.last_error.contains("HTTP 404"), "{letter:?}");

        let other = Some(&["sakuragaoka".to_owned()][..]);
        assert_eq!(
            outbox.retry(letter.id, other).unwrap(),
            None,
            "another tenant's"
        );
        assert_eq!(
            outbox.retry(letter.id, None).unwrap().as_ref(),
            Some(letter)
        );
        assert_eq!(
            outbox.retry(letter.id, None).unwrap(),
            None,
            "no longer dead"
        );
        assert_eq!(outbox.retry(9999, None).unwrap(), None);
        let due = outbox.due(now_ms(), 10).unwrap();
        assert_eq!((due.len(), due[0].attempts), (1, 0));
        assert_eq!(outbox.dead_letters(None, 100).unwrap().len(), 1);
    }
}
