//! Users (the staff who handle alerts) and who is assigned which kind of alert where, on
//! PostgreSQL (mirrors `store/sqlite/users.rs`). Host ids sort as SQLite's BINARY
//! collation does (`COLLATE "C"`), whatever the database's collation.

use crate::error::Result;
use crate::hosted::{Param, Row, p};
use crate::model::{AlertKind, Assignment, NotifyLevel, User, UserRole};
use crate::store::users::{Recipient, UserRow};

use super::conv::{get_flag, get_u32};
use super::{PgTx, get};

/// A user's locations (host ids, sorted) from `table`, as a correlated array.
fn location_array(table: &str) -> String {
    format!(
        "ARRAY(SELECT l.host_id FROM {table} x
               JOIN locations l ON l.store_id = x.store_id AND l.id = x.location_id
               WHERE x.store_id = $1 AND x.user_id = u.id
               ORDER BY l.host_id COLLATE \"C\")"
    )
}

fn read_users(t: &mut PgTx<'_>, filter: &str, arg: Param) -> Result<Vec<UserRow>> {
    let rows = t.query(
        &format!(
            "SELECT u.id, u.host_id, u.name, u.email, u.role, u.language, u.notify, u.active,
                    {}, {}
             FROM users u WHERE u.store_id = $1 AND {filter} ORDER BY u.host_id COLLATE \"C\"",
            location_array("user_locations"),
            location_array("user_notify_locations"),
        ),
        vec![arg],
    )?;
    rows.iter().map(user_row).collect()
}

fn user_row(r: &Row) -> Result<UserRow> {
    Ok(UserRow {
        rowid: get(r, 0)?,
        user: User {
            id: get(r, 1)?,
            name: get(r, 2)?,
            email: get(r, 3)?,
            role: UserRole::parse(&get::<String>(r, 4)?).unwrap_or(UserRole::Staff),
            locations: get(r, 8)?,
            language: get(r, 5)?,
            notify: NotifyLevel::parse(&get::<String>(r, 6)?).unwrap_or(NotifyLevel::None),
            notify_locations: get(r, 9)?,
        },
        active: get_flag(r, 7)?,
    })
}

fn recipients(rows: &[Row]) -> Result<Vec<Recipient>> {
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                rowid: get(r, 0)?,
                language: get(r, 1)?,
            })
        })
        .collect()
}

impl crate::store::UserStore for PgTx<'_> {
    fn upsert_user(
        &mut self,
        u: &User,
        locations: &[i64],
        notify_locations: &[i64],
    ) -> Result<i64> {
        // Found first, so an update takes no id from the counter (ids stay gap-free, H1).
        let found = self.query_opt(
            "SELECT id FROM users WHERE store_id = $1 AND host_id = $2",
            vec![p(u.id.clone())],
        )?;
        let fields = |id: i64| {
            vec![
                p(id),
                p(u.name.clone()),
                p(u.email.clone()),
                p(u.role.as_str().to_owned()),
                p(u.language.clone()),
                p(u.notify.as_str().to_owned()),
            ]
        };
        let rowid = match found {
            Some(r) => {
                let id: i64 = get(&r, 0)?;
                self.execute(
                    "UPDATE users SET name = $3, email = $4, role = $5, language = $6,
                       notify = $7, active = 1
                     WHERE store_id = $1 AND id = $2",
                    fields(id),
                )?;
                id
            }
            None => {
                let id = self.next_ids("users", 1)?;
                let mut params = fields(id);
                params.insert(1, p(u.id.clone()));
                self.execute(
                    "INSERT INTO users (store_id, id, host_id, name, email, role, language,
                       notify, active)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
                    params,
                )?;
                id
            }
        };
        for (table, ids) in [
            ("user_locations", locations),
            ("user_notify_locations", notify_locations),
        ] {
            self.execute(
                &format!("DELETE FROM {table} WHERE store_id = $1 AND user_id = $2"),
                vec![p(rowid)],
            )?;
            if !ids.is_empty() {
                self.execute(
                    &format!(
                        "INSERT INTO {table} (store_id, user_id, location_id)
                         SELECT $1, $2, x FROM unnest($3::bigint[]) AS x
                         ON CONFLICT (store_id, user_id, location_id) DO NOTHING"
                    ),
                    vec![p(rowid), p(ids.to_vec())],
                )?;
            }
        }
        Ok(rowid)
    }

    fn get_user(&mut self, host_id: &str) -> Result<Option<UserRow>> {
        Ok(read_users(self, "u.host_id = $2", p(host_id.to_owned()))?.pop())
    }

    fn user_by_rowid(&mut self, rowid: i64) -> Result<Option<UserRow>> {
        Ok(read_users(self, "u.id = $2", p(rowid))?.pop())
    }

    fn customer_name(&mut self, rowid: i64) -> Result<Option<String>> {
        let row = self.query_opt(
            "SELECT name FROM customers WHERE store_id = $1 AND id = $2",
            vec![p(rowid)],
        )?;
        Ok(row
            .map(|r| get::<Option<String>>(&r, 0))
            .transpose()?
            .flatten())
    }

    fn list_users(&mut self) -> Result<Vec<User>> {
        Ok(read_users(self, "u.active = $2", p(1i64))?
            .into_iter()
            .map(|u| u.user)
            .collect())
    }

    fn deactivate_user(&mut self, rowid: i64) -> Result<()> {
        self.execute(
            "UPDATE users SET active = 0 WHERE store_id = $1 AND id = $2",
            vec![p(rowid)],
        )?;
        self.execute(
            "DELETE FROM user_notify_locations WHERE store_id = $1 AND user_id = $2",
            vec![p(rowid)],
        )?;
        Ok(())
    }

    fn user_open_work(&mut self, rowid: i64) -> Result<(u32, u32)> {
        let r = self.query_one(
            "SELECT (SELECT count(*) FROM alert_assignments WHERE store_id = $1 AND user_id = $2),
                    (SELECT count(*) FROM alerts
                     WHERE store_id = $1 AND user_id = $2 AND status <> 'done')",
            vec![p(rowid)],
        )?;
        Ok((get_u32(&r, 0)?, get_u32(&r, 1)?))
    }

    fn notify_recipients(&mut self, location: i64, negative: bool) -> Result<Vec<Recipient>> {
        let rows = self.query(
            "SELECT u.id, u.language FROM users u
             WHERE u.store_id = $1 AND u.active = 1
               AND (u.notify = 'all' OR (u.notify = 'negative' AND $3::boolean))
               AND (NOT EXISTS (SELECT 1 FROM user_notify_locations n
                                WHERE n.store_id = u.store_id AND n.user_id = u.id)
                    OR EXISTS (SELECT 1 FROM user_notify_locations n
                               WHERE n.store_id = u.store_id AND n.user_id = u.id
                                 AND n.location_id = $2))
             ORDER BY u.host_id COLLATE \"C\"",
            vec![p(location), p(negative)],
        )?;
        recipients(&rows)
    }

    fn location_owners(&mut self, location: i64) -> Result<Vec<Recipient>> {
        let rows = self.query(
            "SELECT u.id, u.language FROM users u
             WHERE u.store_id = $1 AND u.active = 1 AND u.role = 'owner'
               AND (NOT EXISTS (SELECT 1 FROM user_locations x
                                WHERE x.store_id = u.store_id AND x.user_id = u.id)
                    OR EXISTS (SELECT 1 FROM user_locations x
                               WHERE x.store_id = u.store_id AND x.user_id = u.id
                                 AND x.location_id = $2))
             ORDER BY u.host_id COLLATE \"C\"",
            vec![p(location)],
        )?;
        recipients(&rows)
    }

    fn set_assignment(&mut self, kind: AlertKind, location: i64, user: i64) -> Result<()> {
        self.execute(
            "INSERT INTO alert_assignments (store_id, kind, location_id, user_id)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (store_id, kind, location_id) DO UPDATE SET user_id = excluded.user_id",
            vec![p(kind.as_str().to_owned()), p(location), p(user)],
        )?;
        Ok(())
    }

    fn clear_assignment(&mut self, kind: AlertKind, location: i64) -> Result<bool> {
        Ok(self.execute(
            "DELETE FROM alert_assignments WHERE store_id = $1 AND kind = $2 AND location_id = $3",
            vec![p(kind.as_str().to_owned()), p(location)],
        )? > 0)
    }

    fn list_assignments(&mut self) -> Result<Vec<Assignment>> {
        let rows = self.query(
            "SELECT a.kind, l.host_id, u.host_id FROM alert_assignments a
             JOIN users u ON u.store_id = a.store_id AND u.id = a.user_id
             LEFT JOIN locations l ON l.store_id = a.store_id AND l.id = a.location_id
             WHERE a.store_id = $1
             ORDER BY a.location_id <> 0, l.host_id COLLATE \"C\" NULLS FIRST, a.kind COLLATE \"C\"",
            vec![],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            if let Some(kind) = AlertKind::parse(&get::<String>(r, 0)?) {
                out.push(Assignment {
                    kind,
                    location: get(r, 1)?,
                    user: get(r, 2)?,
                });
            }
        }
        Ok(out)
    }

    fn resolve_assignee(&mut self, kind: AlertKind, location: i64) -> Result<Option<i64>> {
        let row = self.query_opt(
            "SELECT user_id FROM alert_assignments
             WHERE store_id = $1 AND kind = $2 AND location_id IN ($3, 0)
             ORDER BY location_id DESC LIMIT 1",
            vec![p(kind.as_str().to_owned()), p(location)],
        )?;
        row.map(|r| get(&r, 0)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{fixture, sqlite_location_and_customer};
    use crate::model::{AlertKind, NotifyLevel, User, UserRole};
    use crate::store::UserStore;

    fn user(id: &str, role: UserRole, notify: NotifyLevel) -> User {
        User {
            id: id.into(),
            name: format!("Name {id}"),
            email: format!("{id}@example.com"),
            role,
            locations: vec![],
            language: Some("fr".into()),
            notify,
            notify_locations: vec![],
        }
    }

    fn show(t: &mut dyn UserStore, host: &str) -> String {
        format!(
            "{:?}",
            t.get_user(host)
                .unwrap()
                .map(|u| (u.rowid, u.active, u.user))
        )
    }

    /// Location 1 (`loc-1`) exists; location 2 (`loc-0`, sorting first) is added by the
    /// caller on each side.
    fn scenario(t: &mut dyn UserStore) -> Vec<String> {
        let mut seen = Vec::new();
        let a = t
            .upsert_user(
                &user("b-owner", UserRole::Owner, NotifyLevel::All),
                &[1, 2],
                &[2],
            )
            .unwrap();
        let b = t
            .upsert_user(
                &user("a-staff", UserRole::Staff, NotifyLevel::Negative),
                &[],
                &[],
            )
            .unwrap();
        let c = t
            .upsert_user(
                &user("Z-owner", UserRole::Owner, NotifyLevel::None),
                &[2],
                &[],
            )
            .unwrap();
        // An update keeps the id and takes none from the counter.
        let a2 = t
            .upsert_user(
                &user("b-owner", UserRole::Owner, NotifyLevel::All),
                &[2, 1, 1],
                &[1, 2],
            )
            .unwrap();
        let d = t
            .upsert_user(
                &user("c-admin", UserRole::Admin, NotifyLevel::All),
                &[],
                &[],
            )
            .unwrap();
        seen.push(format!("{a} {b} {c} {a2} {d}"));
        seen.push(show(t, "b-owner"));
        seen.push(show(t, "nobody"));
        seen.push(format!(
            "{:?}",
            t.user_by_rowid(b).unwrap().map(|u| u.user.id)
        ));
        seen.push(format!("{:?}", t.list_users().unwrap()));
        seen.push(format!("{:?}", t.customer_name(1).unwrap()));
        seen.push(format!("{:?}", t.customer_name(99).unwrap()));
        for (loc, neg) in [(1, false), (1, true), (2, false), (3, true)] {
            seen.push(format!("{:?}", t.notify_recipients(loc, neg).unwrap()));
        }
        for loc in [1, 2] {
            seen.push(format!("{:?}", t.location_owners(loc).unwrap()));
        }
        t.set_assignment(AlertKind::UnhappyCustomer, 0, b).unwrap();
        t.set_assignment(AlertKind::UnhappyCustomer, 1, d).unwrap();
        t.set_assignment(AlertKind::SyncGap, 2, b).unwrap();
        t.set_assignment(AlertKind::NegativeFeedback, 0, a).unwrap();
        t.set_assignment(AlertKind::UnhappyCustomer, 1, a).unwrap();
        seen.push(format!("{:?}", t.list_assignments().unwrap()));
        for (kind, loc) in [
            (AlertKind::UnhappyCustomer, 1),
            (AlertKind::UnhappyCustomer, 2),
            (AlertKind::SyncGap, 1),
            (AlertKind::SyncGap, 2),
        ] {
            seen.push(format!("{:?}", t.resolve_assignee(kind, loc).unwrap()));
        }
        seen.push(format!("{:?}", t.user_open_work(a).unwrap()));
        seen.push(format!("{:?}", t.user_open_work(c).unwrap()));
        seen.push(format!(
            "{} {}",
            t.clear_assignment(AlertKind::UnhappyCustomer, 1).unwrap(),
            t.clear_assignment(AlertKind::UnhappyCustomer, 1).unwrap()
        ));
        seen.push(format!(
            "{:?}",
            t.resolve_assignee(AlertKind::UnhappyCustomer, 1).unwrap()
        ));
        t.deactivate_user(a).unwrap();
        seen.push(show(t, "b-owner"));
        seen.push(format!("{:?}", t.list_users().unwrap()));
        seen.push(format!("{:?}", t.location_owners(1).unwrap()));
        // Upserting a removed user brings them back.
        t.upsert_user(
            &user("b-owner", UserRole::Manager, NotifyLevel::All),
            &[],
            &[],
        )
        .unwrap();
        seen.push(show(t, "b-owner"));
        seen
    }

    #[test]
    fn users_match_sqlite() {
        let Some(f) = fixture("pg_users") else {
            return;
        };
        f.admin_sql(
            "INSERT INTO locations (store_id, id, host_id, name, time_zone, enabled)
             VALUES ($1, 2, 'loc-0', 'Annexe', 'Europe/Paris', 1)",
        );
        let pg = f.write(|t| Ok(scenario(t))).unwrap();
        let mut lite = crate::store::sqlite::Store::open_in_memory().unwrap();
        let expected = lite
            .write(|c| {
                sqlite_location_and_customer(c)?;
                c.upsert_location(&crate::model::Location {
                    id: "loc-0".into(),
                    name: "Annexe".into(),
                    time_zone: "Europe/Paris".into(),
                    enabled: true,
                    review_link: None,
                    business_type: None,
                })?;
                Ok(scenario(c))
            })
            .unwrap();
        assert_eq!(pg, expected);
    }
}
