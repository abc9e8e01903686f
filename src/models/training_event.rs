//! The `training_events` table and its children `training_event_audiences` and
//! `training_event_guidelines`: one row per event, one per audience trained, one per guideline addressed.

use diesel::prelude::*;

use crate::db::schema::{
    training_event_audiences as ta, training_event_guidelines as tg, training_events as te,
};
use crate::db::text_search::{like_pattern, lower, lower_opt};
use crate::db::AnyConnection;
use crate::domain::{Audience, Modality};
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = te, treat_none_as_null = true)]
pub struct TrainingEventRow {
    pub id: String,
    /// `None` for a regional event of the General Secretariat.
    pub member_state: Option<String>,
    pub organizer: String,
    pub title: String,
    pub description: Option<String>,
    /// `YYYY-MM-DD`, so text order is date order on both backends.
    pub start_date: String,
    pub end_date: String,
    pub city: Option<String>,
    pub modality: Modality,
    pub participants_total: Option<i32>,
    pub participants_women: Option<i32>,
    pub participants_men: Option<i32>,
    pub partners: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// An event with its children: audiences in code-list order, guidelines as
/// `(work_plan, number)` in plan and number order. Two records are equal when nothing differs.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingEventRecord {
    pub row: TrainingEventRow,
    pub audiences: Vec<Audience>,
    pub guidelines: Vec<(String, i32)>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ta)]
struct AudienceRow {
    event_id: String,
    audience: Audience,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tg)]
struct GuidelineLinkRow {
    event_id: String,
    work_plan: String,
    guideline_number: i32,
}

/// Filters of the event list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub member_state: Option<String>,
    /// Events that end on or after this date (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Events that start on or before this date (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Events that train any of these audiences.
    pub audiences: Vec<Audience>,
    /// Events that address any of these guidelines.
    pub guidelines: Vec<(String, i32)>,
    pub modality: Option<Modality>,
    /// Case-insensitive substring of title, organizer or city.
    pub q: Option<String>,
    pub updated_since: Option<Timestamp>,
    pub include_deleted: bool,
}

/// Keyset position of the list: (start_date, id).
pub type Key = (String, String);

impl TrainingEventRow {
    crate::versioned_queries!(te, id: &str);
}

impl TrainingEventRecord {
    pub fn key(&self) -> Key {
        (self.row.start_date.clone(), self.row.id.clone())
    }

    /// The event, deleted or not.
    pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>> {
        match TrainingEventRow::find(conn, id)? {
            None => Ok(None),
            Some(row) => Ok(Self::with_children(conn, vec![row])?.pop()),
        }
    }

    /// Up to `limit` events matching `f`, ordered by start date then id, after `after`.
    pub fn list(
        conn: &mut AnyConnection,
        f: &Filter,
        after: Option<&Key>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = te::table
            .select(TrainingEventRow::as_select())
            .order((te::start_date, te::id))
            .into_boxed();
        // Any of the guidelines. First, because `or_filter` ORs with every filter before it; the
        // ones after are ANDed with the whole group.
        for (i, (plan, number)) in f.guidelines.iter().enumerate() {
            let ids = tg::table
                .filter(tg::work_plan.eq(plan.clone()))
                .filter(tg::guideline_number.eq(*number))
                .select(tg::event_id);
            q = if i == 0 {
                q.filter(te::id.eq_any(ids))
            } else {
                q.or_filter(te::id.eq_any(ids))
            };
        }
        if let Some(ms) = &f.member_state {
            q = q.filter(te::member_state.eq(ms.clone()));
        }
        // Overlap with [from, to]: an event touching either edge is in.
        if let Some(from) = &f.from {
            q = q.filter(te::end_date.ge(from.clone()));
        }
        if let Some(to) = &f.to {
            q = q.filter(te::start_date.le(to.clone()));
        }
        if !f.audiences.is_empty() {
            let ids = ta::table
                .filter(ta::audience.eq_any(f.audiences.clone()))
                .select(ta::event_id);
            q = q.filter(te::id.eq_any(ids));
        }
        if let Some(m) = &f.modality {
            q = q.filter(te::modality.eq(*m));
        }
        if let Some(text) = &f.q {
            let p = like_pattern(text);
            q = q.filter(
                lower(te::title)
                    .like(p.clone())
                    .escape('\\')
                    .or(lower(te::organizer).like(p.clone()).escape('\\'))
                    .or(lower_opt(te::city).like(p).escape('\\')),
            );
        }
        if let Some(since) = &f.updated_since {
            q = q.filter(te::updated_at.ge(*since));
        }
        if !f.include_deleted {
            q = q.filter(te::deleted_at.is_null());
        }
        if let Some((start, id)) = after {
            q = q.filter(crate::after_key!(te::start_date => start, te::id => id));
        }
        let rows = q.limit(limit).load(conn)?;
        Self::with_children(conn, rows)
    }

    /// Attaches audiences and guidelines to `rows` (two queries, whatever the number of rows).
    fn with_children(
        conn: &mut AnyConnection,
        rows: Vec<TrainingEventRow>,
    ) -> QueryResult<Vec<Self>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let audiences: Vec<AudienceRow> = ta::table
            .filter(ta::event_id.eq_any(ids.clone()))
            .select(AudienceRow::as_select())
            .load(conn)?;
        let guidelines: Vec<GuidelineLinkRow> = tg::table
            .filter(tg::event_id.eq_any(ids))
            .order((tg::work_plan, tg::guideline_number))
            .select(GuidelineLinkRow::as_select())
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut audiences: Vec<Audience> = audiences
                    .iter()
                    .filter(|a| a.event_id == row.id)
                    .map(|a| a.audience)
                    .collect();
                audiences.sort();
                let guidelines = guidelines
                    .iter()
                    .filter(|g| g.event_id == row.id)
                    .map(|g| (g.work_plan.clone(), g.guideline_number))
                    .collect();
                Self {
                    row,
                    audiences,
                    guidelines,
                }
            })
            .collect())
    }

    fn insert_children(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        let event_id = &self.row.id;
        // One statement per row: batch inserts are not available through the two-backend
        // connection (SQLite's batch syntax differs), and an event has a handful of children.
        for &audience in &self.audiences {
            let event_id = event_id.clone();
            let row = AudienceRow { event_id, audience };
            diesel::insert_into(ta::table).values(row).execute(conn)?;
        }
        for (plan, number) in &self.guidelines {
            let row = GuidelineLinkRow {
                event_id: event_id.clone(),
                work_plan: plan.clone(),
                guideline_number: *number,
            };
            diesel::insert_into(tg::table).values(row).execute(conn)?;
        }
        Ok(())
    }

    pub fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        self.row.insert(conn)?;
        self.insert_children(conn)
    }

    /// Writes `self` over the stored event if it is still at `expected_version`, children included.
    pub fn update(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        if !self.row.update(conn, expected_version)? {
            return Ok(false);
        }
        diesel::delete(ta::table.filter(ta::event_id.eq(self.row.id.clone()))).execute(conn)?;
        diesel::delete(tg::table.filter(tg::event_id.eq(self.row.id.clone()))).execute(conn)?;
        self.insert_children(conn)?;
        Ok(true)
    }
}
