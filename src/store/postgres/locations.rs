//! The locations area on PostgreSQL (mirrors `store/sqlite/locations.rs`).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::values::{date_text, flag, get_bool, get_date};
use super::{PgTx, get};
use crate::error::Result;
use crate::hosted::{Row, p};
use crate::model::Location;
use crate::store::locations::LocationRow;

const LOCATION_COLUMNS: &str = "id, host_id, name, time_zone, enabled, review_link, business_type";

fn row_to_location(r: &Row) -> Result<LocationRow> {
    Ok(LocationRow {
        rowid: get(r, 0)?,
        location: Location {
            id: get(r, 1)?,
            name: get(r, 2)?,
            time_zone: get(r, 3)?,
            enabled: get_bool(r, 4)?,
            review_link: get(r, 5)?,
            business_type: get(r, 6)?,
        },
    })
}

impl crate::store::LocationStore for PgTx<'_> {
    fn location_by_rowid(&mut self, rowid: i64) -> Result<Option<LocationRow>> {
        self.query_opt(
            &format!("SELECT {LOCATION_COLUMNS} FROM locations WHERE store_id = $1 AND id = $2"),
            vec![p(rowid)],
        )?
        .as_ref()
        .map(row_to_location)
        .transpose()
    }

    fn get_location(&mut self, host_id: &str) -> Result<Option<LocationRow>> {
        self.query_opt(
            &format!(
                "SELECT {LOCATION_COLUMNS} FROM locations WHERE store_id = $1 AND host_id = $2"
            ),
            vec![p(host_id.to_owned())],
        )?
        .as_ref()
        .map(row_to_location)
        .transpose()
    }

    fn list_locations(&mut self) -> Result<Vec<LocationRow>> {
        self.query(
            &format!(
                "SELECT {LOCATION_COLUMNS} FROM locations WHERE store_id = $1
                 ORDER BY host_id COLLATE \"C\""
            ),
            vec![],
        )?
        .iter()
        .map(row_to_location)
        .collect()
    }

    fn upsert_location(&mut self, l: &Location) -> Result<()> {
        // Update in place, or insert under a new per-store id (no id spent on an update).
        let updated = self.execute(
            "UPDATE locations SET name = $3, time_zone = $4, enabled = $5, review_link = $6,
               business_type = $7
             WHERE store_id = $1 AND host_id = $2",
            vec![
                p(l.id.clone()),
                p(l.name.clone()),
                p(l.time_zone.clone()),
                p(flag(l.enabled)),
                p(l.review_link.clone()),
                p(l.business_type.clone()),
            ],
        )?;
        if updated == 0 {
            let id = self.next_ids("locations", 1)?;
            self.execute(
                "INSERT INTO locations
                   (store_id, id, host_id, name, time_zone, enabled, review_link, business_type)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                vec![
                    p(id),
                    p(l.id.clone()),
                    p(l.name.clone()),
                    p(l.time_zone.clone()),
                    p(flag(l.enabled)),
                    p(l.review_link.clone()),
                    p(l.business_type.clone()),
                ],
            )?;
        }
        Ok(())
    }

    fn count_enabled_locations(&mut self) -> Result<i64> {
        let row = self.query_one(
            "SELECT count(*) FROM locations WHERE store_id = $1 AND enabled <> 0",
            vec![],
        )?;
        get(&row, 0)
    }

    fn set_location_enabled(&mut self, rowid: i64, enabled: bool) -> Result<()> {
        self.execute(
            "UPDATE locations SET enabled = $3 WHERE store_id = $1 AND id = $2",
            vec![p(rowid), p(flag(enabled))],
        )?;
        Ok(())
    }

    fn synced_dates_since(
        &mut self,
        location: i64,
        since: NaiveDate,
    ) -> Result<BTreeSet<NaiveDate>> {
        self.query(
            "SELECT business_date FROM sync_dates
             WHERE store_id = $1 AND location_id = $2 AND business_date >= $3",
            vec![p(location), p(date_text(since))],
        )?
        .iter()
        .map(|r| get_date(r, 0, "business date"))
        .collect()
    }

    fn mark_dates_synced(
        &mut self,
        location: i64,
        dates: &[NaiveDate],
        now_ms: i64,
        via: &str,
    ) -> Result<()> {
        if dates.is_empty() {
            return Ok(());
        }
        let dates: Vec<String> = dates.iter().map(|d| date_text(*d)).collect();
        self.execute(
            "INSERT INTO sync_dates (store_id, location_id, business_date, synced_at, via)
             SELECT $1, $2, d, $4, $5 FROM unnest($3::text[]) AS d
             ON CONFLICT (store_id, location_id, business_date) DO NOTHING",
            vec![p(location), p(dates), p(now_ms), p(via.to_owned())],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LocationStore;
    use crate::store::postgres::values::testkit::{on_pg, on_sqlite};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The same calls, their answers as text.
    fn scenario<T: LocationStore + ?Sized>(t: &mut T) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut b = Location::new("b-loc", "Bee", "Europe/Paris");
        t.upsert_location(&b)?;
        let mut a = Location::new("a-loc", "Ay", "UTC");
        a.review_link = Some("https://r.example/a".into());
        a.business_type = Some("restaurant".into());
        t.upsert_location(&a)?;
        t.upsert_location(&Location::new("B-upper", "Upper", "UTC"))?;
        b.name = "Bee two".into();
        b.enabled = false;
        t.upsert_location(&b)?; // an update: no new id
        t.upsert_location(&Location::new("c-loc", "Cee", "UTC"))?;
        out.push(format!("{:?}", t.list_locations()?));
        out.push(format!("{:?}", t.get_location("a-loc")?));
        out.push(format!("{:?}", t.get_location("nope")?));
        out.push(format!("{:?}", t.location_by_rowid(1)?));
        out.push(format!("{:?}", t.location_by_rowid(99)?));
        out.push(format!("{:?}", t.count_enabled_locations()?));
        t.set_location_enabled(1, true)?;
        t.set_location_enabled(2, false)?;
        out.push(format!("{:?}", t.count_enabled_locations()?));
        out.push(format!("{:?}", t.list_locations()?));
        t.mark_dates_synced(
            1,
            &[d("2026-01-02"), d("2026-01-01"), d("2026-01-02")],
            10,
            "sync",
        )?;
        t.mark_dates_synced(1, &[d("2026-01-03"), d("2026-01-01")], 20, "backfill")?;
        t.mark_dates_synced(2, &[d("2026-01-05")], 20, "sync")?;
        t.mark_dates_synced(2, &[], 20, "sync")?;
        out.push(format!("{:?}", t.synced_dates_since(1, d("2026-01-01"))?));
        out.push(format!("{:?}", t.synced_dates_since(1, d("2026-01-02"))?));
        out.push(format!("{:?}", t.synced_dates_since(2, d("2025-01-02"))?));
        out.push(format!("{:?}", t.synced_dates_since(3, d("2025-01-02"))?));
        Ok(out)
    }

    #[test]
    fn locations_answer_as_on_sqlite() {
        let Some(pg) = on_pg("pg-locations", |t| scenario(t)) else {
            return;
        };
        let lite = on_sqlite(|t| scenario(t));
        assert_eq!(pg, lite);
    }

    /// H1, H2: each store numbers its own rows from 1 and sees only them, though the
    /// host ids are the same.
    #[test]
    fn stores_number_and_see_only_their_own_rows() {
        use crate::store::DumpStore;
        use crate::store::postgres::values::testkit::pg_stores;

        let Some((client, keys)) = pg_stores("pg-two-stores", 2) else {
            return;
        };
        let (a, b) = (keys[0], keys[1]);
        let in_store = |key: i64, body: &dyn Fn(&mut PgTx<'_>) -> Result<Vec<String>>| {
            client
                .with_transaction(key, |tx| body(&mut PgTx::new(tx, key)))
                .unwrap()
        };
        in_store(a, &|t| {
            t.upsert_location(&Location::new("one", "A1", "UTC"))?;
            t.upsert_location(&Location::new("two", "A2", "UTC"))?;
            t.mark_dates_synced(2, &[d("2026-01-01")], 1, "sync")?;
            Ok(vec![])
        });
        let seen_by_b = in_store(b, &|t| {
            t.upsert_location(&Location::new("two", "B2", "UTC"))?;
            Ok(vec![
                format!("{:?}", t.list_locations()?),
                format!("{:?}", t.location_by_rowid(2)?),
                format!("{:?}", t.synced_dates_since(2, d("2000-01-01"))?),
                format!("{}", t.count_enabled_locations()?),
                format!(
                    "{:?}",
                    t.dump_rows(&[])?
                        .iter()
                        .filter(|l| l.starts_with("locations"))
                        .collect::<Vec<_>>()
                ),
            ])
        });
        assert_eq!(
            seen_by_b,
            [
                "[LocationRow { rowid: 1, location: Location { id: \"two\", name: \"B2\", \
                 time_zone: \"UTC\", enabled: true, review_link: None, business_type: None } }]",
                "None",
                "{}",
                "1",
                "[\"locations: id=1, host_id=\\\"two\\\", name=\\\"B2\\\", \
                 time_zone=\\\"UTC\\\", enabled=1, review_link=NULL, business_type=NULL\"]",
            ]
        );
        let seen_by_a = in_store(a, &|t| {
            Ok(vec![
                format!("{}", t.count_enabled_locations()?),
                format!(
                    "{:?}",
                    t.get_location("two")?.map(|l| (l.rowid, l.location.name))
                ),
            ])
        });
        assert_eq!(seen_by_a, ["2", "Some((2, \"A2\"))"]);
    }
}
