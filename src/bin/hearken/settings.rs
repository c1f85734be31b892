//! `settings show|set` and `window show|set`: the store-wide settings (the store's, the
//! delivery's and the contact policy's) and the sync window they give each location.
//!
//! A setting is named as its field in the engine's settings (`cooldown_months`,
//! `link_base_url`, `min_gap_days`, …). `set` reads each value as the type the setting has now (a whole
//! number, yes or no, a JSON object or list, or a text), checks every change with the engine's own validation, and saves
//! nothing unless all pass; a bad value is reported by its setting's name, never echoed.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use hearken::rules::validate::{
    validate_contact_policy, validate_delivery_settings, validate_settings,
};
use hearken::{ContactPolicy, DeliverySettings, Engine, Error, Problem, Settings};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::args::{SettingsAction, WindowAction};
use crate::commands::{Out, utc};
use crate::failure::Failure;
use crate::table::Table;

/// The settings that are secrets: shown only as set or not set.
const SECRETS: [&str; 2] = ["suppression_pepper", "sample_salt"];

/// The three groups of settings, as JSON objects keyed by setting name.
struct Groups {
    store: Map<String, Value>,
    delivery: Map<String, Value>,
    policy: Map<String, Value>,
}

fn object<T: serde::Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(), // settings are plain structs: always an object
    }
}

impl Groups {
    fn read(e: &Engine) -> Result<Self, Failure> {
        Ok(Groups {
            store: object(&e.settings()?),
            delivery: object(&e.delivery_settings()?),
            policy: object(&e.contact_policy()?),
        })
    }

    /// What `show` prints: each secret replaced by whether it is set.
    fn shown(&self) -> Value {
        let hide = |group: &Map<String, Value>| {
            let mut group = group.clone();
            for secret in SECRETS {
                if let Some(v) = group.remove(secret) {
                    let set = v.as_str().is_some_and(|s| !s.is_empty());
                    group.insert(format!("{secret}_set"), Value::Bool(set));
                }
            }
            group
        };
        serde_json::json!({
            "settings": self.store,
            "delivery": hide(&self.delivery),
            "contact_policy": hide(&self.policy),
        })
    }

    fn text(&self) -> String {
        let mut t = Table::new(&["setting", "value"]);
        for (k, v) in self.iter() {
            t.row([k.clone(), value_text(k, v)]);
        }
        t.render()
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.store
            .iter()
            .chain(self.delivery.iter())
            .chain(self.policy.iter())
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.store
            .get(key)
            .or_else(|| self.delivery.get(key))
            .or_else(|| self.policy.get(key))
    }
}

fn value_text(key: &str, v: &Value) -> String {
    match v {
        Value::String(s) if SECRETS.contains(&key) => {
            if s.is_empty() { "(not set)" } else { "(set)" }.to_owned()
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `settings show|set`.
pub fn settings(e: &Engine, out: &Out, action: &SettingsAction) -> Result<(), Failure> {
    match action {
        SettingsAction::Show => {
            let g = Groups::read(e)?;
            out.show(&g.shown(), || g.text());
            Ok(())
        }
        SettingsAction::Set { pairs } => set(e, out, pairs),
    }
}

/// Applies `KEY=VALUE` pairs: all checked first, then saved, or nothing saved.
fn set(e: &Engine, out: &Out, pairs: &[String]) -> Result<(), Failure> {
    let before = Groups::read(e)?;
    let mut after = Groups {
        store: before.store.clone(),
        delivery: before.delivery.clone(),
        policy: before.policy.clone(),
    };
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for pair in pairs {
        let Some((key, text)) = pair.split_once('=') else {
            problems.push(Problem::top("settings", "KEY=VALUE", "expected KEY=VALUE"));
            continue;
        };
        if !is_name(key) {
            problems.push(Problem::top("settings", "KEY", "not a setting name"));
            continue;
        }
        let (record, group) = if after.store.contains_key(key) {
            ("settings", &mut after.store)
        } else if after.delivery.contains_key(key) {
            ("delivery_settings", &mut after.delivery)
        } else if after.policy.contains_key(key) {
            ("contact_policy", &mut after.policy)
        } else {
            // An unknown key is never echoed (T6): it may be anything the operator typed.
            problems.push(Problem::top(
                "settings",
                "KEY",
                "unknown setting (`hearken settings show` lists them)",
            ));
            continue;
        };
        if !seen.insert(key.to_owned()) {
            problems.push(Problem::top(record, key, "given more than once"));
            continue;
        }
        match typed_like(&group[key], text) {
            Ok(v) => {
                group.insert(key.to_owned(), v);
            }
            Err(reason) => problems.push(Problem::top(record, key, reason)),
        }
    }
    let store: Settings = parse("settings", &mut after.store, &before.store, &mut problems)?;
    let delivery: DeliverySettings = parse(
        "delivery_settings",
        &mut after.delivery,
        &before.delivery,
        &mut problems,
    )?;
    let policy: ContactPolicy = parse(
        "contact_policy",
        &mut after.policy,
        &before.policy,
        &mut problems,
    )?;
    // The engine's own checks, for the settings not already refused above.
    let named: BTreeSet<String> = problems.iter().map(|p| p.field.clone()).collect();
    problems.extend(
        validate_settings(&store)
            .into_iter()
            .chain(validate_delivery_settings(&delivery))
            .chain(validate_contact_policy(&policy, delivery.survey_link_days))
            .filter(|p| !named.contains(&p.field)),
    );
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    if after.store != before.store {
        e.set_settings(&store)?;
    }
    // Each setter checks its values against the others' stored ones (T10): a pair valid
    // as a whole is set in the order whose middle state is valid too.
    let policy_first = !hearken::rules::validate::validate_delivery_against_policy(
        &delivery,
        &e.contact_policy()?,
    )
    .is_empty();
    if policy_first && after.policy != before.policy {
        e.set_contact_policy(&policy)?;
    }
    if after.delivery != before.delivery {
        e.set_delivery_settings(&delivery)?;
    }
    if !policy_first && after.policy != before.policy {
        e.set_contact_policy(&policy)?;
    }
    out.show(&after.shown(), || {
        let mut t = Table::new(&["setting", "before", "after"]);
        for key in &seen {
            if let (Some(old), Some(new)) = (before.get(key), after.get(key)) {
                t.row([key.clone(), value_text(key, old), value_text(key, new)]);
            }
        }
        format!("settings saved\n{}", t.render())
    });
    Ok(())
}

/// A setting name as the engine spells them: lower-case ASCII words joined by `_`.
fn is_name(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// `text` as a value of the same JSON type as `current`: a whole number for a number, the
/// text itself otherwise; or why it cannot be.
fn typed_like(current: &Value, text: &str) -> Result<Value, &'static str> {
    match current {
        Value::Number(_) => {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err("not a whole number");
            }
            text.parse::<u64>()
                .map(Value::from)
                .map_err(|_| "out of range")
        }
        Value::Bool(_) => match text {
            "true" | "yes" | "on" => Ok(Value::Bool(true)),
            "false" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err("not yes or no"),
        },
        // A setting by language (D4: `sms_help_texts`, `sms_opt_out_confirmations`, …) or a
        // list: its JSON text, of the same shape.
        Value::Object(_) => match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Err("not a JSON object"),
        },
        Value::Array(_) => match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Array(_)) => Ok(v),
            _ => Err("not a JSON list"),
        },
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// The group read back into the engine's type. A value it refuses (a number too large for
/// the setting, a channel it does not know) becomes a problem naming the setting and is put
/// back as it was, so the engine's checks still see every other change.
fn parse<T: DeserializeOwned>(
    record: &str,
    group: &mut Map<String, Value>,
    before: &Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<T, Failure> {
    for _ in 0..=group.len() {
        match serde_path_to_error::deserialize::<_, T>(Value::Object(group.clone())) {
            Ok(v) => return Ok(v),
            Err(err) => {
                let field = err.path().to_string();
                problems.push(Problem::top(
                    record,
                    &field,
                    "not a value this setting accepts",
                ));
                match before.get(&field) {
                    Some(old) if group.get(&field) != Some(old) => {
                        group.insert(field, old.clone());
                    }
                    _ => break, // the stored settings themselves do not read back
                }
            }
        }
    }
    Err(Error::Invalid(std::mem::take(problems)).into())
}

/// `window show|set`.
pub fn window(
    e: &Engine,
    out: &Out,
    action: &WindowAction,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    match action {
        WindowAction::Show { location } => {
            let ids: Vec<String> = match location {
                Some(id) => vec![id.clone()],
                None => e.locations()?.into_iter().map(|l| l.id).collect(),
            };
            let windows = ids
                .iter()
                .map(|id| e.sync_window(id, now))
                .collect::<Result<Vec<_>, _>>()?;
            out.show(&windows, || {
                let dates = |d: &[chrono::NaiveDate]| {
                    if d.is_empty() {
                        "none".to_owned()
                    } else {
                        d.iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                };
                let mut t = Table::new(&[
                    "location",
                    "today",
                    "last synced",
                    "send tonight",
                    "backfill needed",
                    "next sync",
                ]);
                for w in &windows {
                    t.row([
                        w.location.clone(),
                        w.today.to_string(),
                        w.last_synced
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "never".into()),
                        dates(&w.dates),
                        dates(&w.missing),
                        utc(w.next_sync_at),
                    ]);
                }
                if windows.is_empty() {
                    "no locations yet\n".to_owned()
                } else {
                    t.render()
                }
            });
            Ok(())
        }
        WindowAction::Set {
            sync_hour,
            catch_up_days,
        } => {
            let mut pairs = Vec::new();
            if let Some(h) = sync_hour {
                pairs.push(format!("sync_hour={h}"));
            }
            if let Some(d) = catch_up_days {
                pairs.push(format!("catch_up_days={d}"));
            }
            set(e, out, &pairs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_type_of_the_setting() {
        assert_eq!(typed_like(&Value::from(3), "12"), Ok(Value::from(12)));
        assert!(typed_like(&Value::from(3), "-1").is_err());
        assert!(typed_like(&Value::from(3), "1e3").is_err());
        assert!(typed_like(&Value::from(3), "").is_err());
        assert_eq!(
            typed_like(&Value::from(3), "99999999999999999999"),
            Err("out of range")
        );
        assert_eq!(
            typed_like(&Value::from("email"), "sms"),
            Ok(Value::from("sms"))
        );
        assert!(is_name("cooldown_months"));
        assert!(!is_name("Cooldown"));
        assert!(!is_name("a\u{1b}[2J"));
    }
}
