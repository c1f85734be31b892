//! Users (the staff who handle alerts) and who is assigned which kind of alert where.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::model::{AlertKind, Assignment, NotifyLevel, User, UserRole};
use crate::store::users::{Recipient, UserRow};

/// Creates or updates a user by host id, with the row ids of its locations.
pub fn upsert_user(
    conn: &Connection,
    u: &User,
    locations: &[i64],
    notify_locations: &[i64],
) -> Result<i64> {
    let rowid: i64 = conn
        .prepare_cached(
            "INSERT INTO users (host_id, name, email, role, language, notify, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
             ON CONFLICT (host_id) DO UPDATE SET name = excluded.name, email = excluded.email,
               role = excluded.role, language = excluded.language, notify = excluded.notify,
               active = 1
             RETURNING id",
        )?
        .query_row(
            params![
                u.id,
                u.name,
                u.email,
                u.role.as_str(),
                u.language,
                u.notify.as_str()
            ],
            |r| r.get(0),
        )?;
    for (table, ids) in [
        ("user_locations", locations),
        ("user_notify_locations", notify_locations),
    ] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE user_id = ?1"))?
            .execute([rowid])?;
        let mut insert = conn.prepare_cached(&format!(
            "INSERT OR IGNORE INTO {table} (user_id, location_id) VALUES (?1, ?2)"
        ))?;
        for l in ids {
            insert.execute([rowid, *l])?;
        }
    }
    Ok(rowid)
}

fn location_list(conn: &Connection, table: &str, user: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT l.host_id FROM {table} x JOIN locations l ON l.id = x.location_id
         WHERE x.user_id = ?1 ORDER BY l.host_id"
    ))?;
    let rows = stmt.query_map([user], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn read_users(conn: &Connection, filter: &str, arg: &dyn rusqlite::ToSql) -> Result<Vec<UserRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, host_id, name, email, role, language, notify, active FROM users
         WHERE {filter} ORDER BY host_id"
    ))?;
    let mut rows: Vec<UserRow> = stmt
        .query_map([arg], |r| {
            Ok(UserRow {
                rowid: r.get(0)?,
                user: User {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    email: r.get(3)?,
                    role: UserRole::parse(&r.get::<_, String>(4)?).unwrap_or(UserRole::Staff),
                    locations: Vec::new(),
                    language: r.get(5)?,
                    notify: NotifyLevel::parse(&r.get::<_, String>(6)?)
                        .unwrap_or(NotifyLevel::None),
                    notify_locations: Vec::new(),
                },
                active: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for row in &mut rows {
        row.user.locations = location_list(conn, "user_locations", row.rowid)?;
        row.user.notify_locations = location_list(conn, "user_notify_locations", row.rowid)?;
    }
    Ok(rows)
}

/// A user by host id (active or removed).
pub fn get_user(conn: &Connection, host_id: &str) -> Result<Option<UserRow>> {
    Ok(read_users(conn, "host_id = ?1", &host_id)?.pop())
}

/// A user by row id.
pub fn user_by_rowid(conn: &Connection, rowid: i64) -> Result<Option<UserRow>> {
    Ok(read_users(conn, "id = ?1", &rowid)?.pop())
}

/// A customer's name by row id.
pub fn customer_name(conn: &Connection, rowid: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM customers WHERE id = ?1")?
        .query_row([rowid], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Every active user, by host id.
pub fn list_users(conn: &Connection) -> Result<Vec<User>> {
    Ok(read_users(conn, "active = ?1", &true)?
        .into_iter()
        .map(|u| u.user)
        .collect())
}

/// Marks a user removed; their history stays.
pub fn deactivate_user(conn: &Connection, rowid: i64) -> Result<()> {
    conn.prepare_cached("UPDATE users SET active = 0 WHERE id = ?1")?
        .execute([rowid])?;
    conn.prepare_cached("DELETE FROM user_notify_locations WHERE user_id = ?1")?
        .execute([rowid])?;
    Ok(())
}

/// How many assignments and unfinished alerts a user holds.
pub fn user_open_work(conn: &Connection, rowid: i64) -> Result<(u32, u32)> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM alert_assignments WHERE user_id = ?1),
                    (SELECT count(*) FROM alerts WHERE user_id = ?1 AND status != 'done')",
        )?
        .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Active users who hear about feedback at `location` (A2); `negative` feedback reaches
/// the "negative only" users too.
pub fn notify_recipients(
    conn: &Connection,
    location: i64,
    negative: bool,
) -> Result<Vec<Recipient>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.language FROM users u
         WHERE u.active = 1
           AND (u.notify = 'all' OR (u.notify = 'negative' AND ?2))
           AND (NOT EXISTS (SELECT 1 FROM user_notify_locations n WHERE n.user_id = u.id)
                OR EXISTS (SELECT 1 FROM user_notify_locations n
                           WHERE n.user_id = u.id AND n.location_id = ?1))
         ORDER BY u.host_id",
    )?;
    let rows = stmt.query_map(params![location, negative], |r| {
        Ok(Recipient {
            rowid: r.get(0)?,
            language: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Active owners covering `location`.
pub fn location_owners(conn: &Connection, location: i64) -> Result<Vec<Recipient>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.language FROM users u
         WHERE u.active = 1 AND u.role = 'owner'
           AND (NOT EXISTS (SELECT 1 FROM user_locations x WHERE x.user_id = u.id)
                OR EXISTS (SELECT 1 FROM user_locations x
                           WHERE x.user_id = u.id AND x.location_id = ?1))
         ORDER BY u.host_id",
    )?;
    let rows = stmt.query_map([location], |r| {
        Ok(Recipient {
            rowid: r.get(0)?,
            language: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets the one user of an alert kind at a location (0 = store-wide), replacing any (A1).
pub fn set_assignment(conn: &Connection, kind: AlertKind, location: i64, user: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO alert_assignments (kind, location_id, user_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, location_id) DO UPDATE SET user_id = excluded.user_id",
    )?
    .execute(params![kind.as_str(), location, user])?;
    Ok(())
}

/// Removes the assignment of a kind at a location (0 = store-wide); true if there was one.
pub fn clear_assignment(conn: &Connection, kind: AlertKind, location: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM alert_assignments WHERE kind = ?1 AND location_id = ?2")?
        .execute(params![kind.as_str(), location])?
        > 0)
}

/// Every assignment, store-wide defaults first.
pub fn list_assignments(conn: &Connection) -> Result<Vec<Assignment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.kind, l.host_id, u.host_id FROM alert_assignments a
         JOIN users u ON u.id = a.user_id
         LEFT JOIN locations l ON l.id = a.location_id
         ORDER BY a.location_id != 0, l.host_id, a.kind",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, location, user) = row?;
        if let Some(kind) = AlertKind::parse(&kind) {
            out.push(Assignment {
                kind,
                location,
                user,
            });
        }
    }
    Ok(out)
}

/// The user row id an alert of `kind` at `location` goes to: the location's, else the
/// store-wide default (A1).
pub fn resolve_assignee(conn: &Connection, kind: AlertKind, location: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id FROM alert_assignments
             WHERE kind = ?1 AND location_id IN (?2, 0) ORDER BY location_id DESC LIMIT 1",
        )?
        .query_row(params![kind.as_str(), location], |r| r.get(0))
        .optional()?)
}

impl crate::store::UserStore for super::SqliteTx<'_> {
    fn upsert_user(
        &mut self,
        u: &User,
        locations: &[i64],
        notify_locations: &[i64],
    ) -> Result<i64> {
        upsert_user(self.conn, u, locations, notify_locations)
    }

    fn get_user(&mut self, host_id: &str) -> Result<Option<UserRow>> {
        get_user(self.conn, host_id)
    }

    fn user_by_rowid(&mut self, rowid: i64) -> Result<Option<UserRow>> {
        user_by_rowid(self.conn, rowid)
    }

    fn customer_name(&mut self, rowid: i64) -> Result<Option<String>> {
        customer_name(self.conn, rowid)
    }

    fn list_users(&mut self) -> Result<Vec<User>> {
        list_users(self.conn)
    }

    fn deactivate_user(&mut self, rowid: i64) -> Result<()> {
        deactivate_user(self.conn, rowid)
    }

    fn user_open_work(&mut self, rowid: i64) -> Result<(u32, u32)> {
        user_open_work(self.conn, rowid)
    }

    fn notify_recipients(&mut self, location: i64, negative: bool) -> Result<Vec<Recipient>> {
        notify_recipients(self.conn, location, negative)
    }

    fn location_owners(&mut self, location: i64) -> Result<Vec<Recipient>> {
        location_owners(self.conn, location)
    }

    fn set_assignment(&mut self, kind: AlertKind, location: i64, user: i64) -> Result<()> {
        set_assignment(self.conn, kind, location, user)
    }

    fn clear_assignment(&mut self, kind: AlertKind, location: i64) -> Result<bool> {
        clear_assignment(self.conn, kind, location)
    }

    fn list_assignments(&mut self) -> Result<Vec<Assignment>> {
        list_assignments(self.conn)
    }

    fn resolve_assignee(&mut self, kind: AlertKind, location: i64) -> Result<Option<i64>> {
        resolve_assignee(self.conn, kind, location)
    }
}
