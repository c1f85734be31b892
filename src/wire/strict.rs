//! The strict JSON reader: builds the document as a `serde_json::Value`, notes the first
//! duplicate key and the path of a value it refuses, so errors can name the field.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// What the reader noticed.
#[derive(Default)]
pub(super) struct Notes {
    pub(super) duplicate: RefCell<Option<String>>,
    pub(super) fault: RefCell<Option<String>>,
}

/// Reads one value at `path`.
pub(super) struct Seed<'n> {
    notes: &'n Notes,
    path: String,
}

impl<'n> Seed<'n> {
    pub(super) fn root(notes: &'n Notes) -> Self {
        Seed {
            notes,
            path: String::new(),
        }
    }

    fn child(&self, segment: &str) -> Seed<'n> {
        let path = if self.path.is_empty() {
            segment.trim_start_matches('.').to_owned()
        } else {
            format!("{}{segment}", self.path)
        };
        Seed {
            notes: self.notes,
            path,
        }
    }

    /// Notes this value's path when the reader refused its value (a number out of
    /// range); syntax errors keep their line and column.
    fn fault(&self, e: &impl fmt::Display) {
        let mut f = self.notes.fault.borrow_mut();
        if f.is_none() && e.to_string().starts_with("number out of range") {
            *f = Some(if self.path.is_empty() {
                ".".to_owned()
            } else {
                self.path.clone()
            });
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let child = self.child(&format!("[{}]", out.len()));
            match seq.next_element_seed(child) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => return Ok(Value::Array(out)),
                Err(e) => {
                    self.child(&format!("[{}]", out.len())).fault(&e);
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut seen = HashSet::new();
        loop {
            let key = match map.next_key::<String>() {
                Ok(Some(k)) => k,
                Ok(None) => return Ok(Value::Object(out)),
                Err(e) => return Err(e),
            };
            let segment = format!(".{key}");
            if !seen.insert(key.clone()) {
                let mut d = self.notes.duplicate.borrow_mut();
                if d.is_none() {
                    *d = Some(self.child(&segment).path);
                }
            }
            match map.next_value_seed(self.child(&segment)) {
                Ok(v) => {
                    out.insert(key, v);
                }
                Err(e) => {
                    self.child(&segment).fault(&e);
                    return Err(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::wire::*;

    const NIGHT: &str = r#""format":1,"location":"p","business_dates":["2026-11-20"]"#;

    fn problem(json: &str) -> Problem {
        let err = parse_batch(json).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{err}");
        err.problems()[0].clone()
    }

    #[test]
    fn t6_duplicate_keys_at_any_depth_name_the_path() {
        let p = problem(&format!(r#"{{{NIGHT},"location":"q"}}"#));
        assert_eq!((p.record.as_str(), p.field.as_str()), ("batch", "location"));
        assert_eq!(p.reason, "duplicate field");
        let p = problem(&format!(
            r#"{{{NIGHT},"transactions":[{{"id":"t0","kind":"sale","amount_minor":1,"currency":"EUR"}},
            {{"id":"t1","kind":"sale","amount_minor":1,"currency":"EUR","customer":"a","customer":"b"}}]}}"#
        ));
        assert_eq!(p.record, "transactions");
        assert_eq!(p.index, Some(1));
        assert_eq!(p.field, "customer");
        assert_eq!(p.reason, "duplicate field");
    }

    #[test]
    fn t6_unknown_keys_name_the_parent_never_the_key() {
        let err = parse_batch(&format!(r#"{{{NIGHT},"SECRETKEY":1}}"#)).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(
            (p.record.as_str(), p.field.as_str(), p.reason.as_str()),
            ("batch", "", "unknown field")
        );
        assert!(!err.to_json().contains("SECRETKEY"), "{err}");
        let err = parse_batch(&format!(
            r#"{{{NIGHT},"customers":[{{"id":"c","SECRETKEY":1,"SECRETKEY":2}}]}}"#
        ))
        .unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(
            (p.record.as_str(), p.index, p.reason.as_str()),
            ("customers", Some(0), "unknown field")
        );
        assert!(!err.to_json().contains("SECRETKEY"), "{err}");
    }

    #[test]
    fn t6_an_unknown_key_with_dots_or_brackets_is_never_echoed_in_part() {
        for key in [
            "jane.doe@example.com",
            "a[1].b",
            ".lead",
            "trail.",
            "x.y[2]",
        ] {
            let doc = format!(r#"{{{NIGHT},"customers":[{{"id":"c","{key}":1}}]}}"#);
            let err = parse_batch(&doc).unwrap_err();
            let p = &err.problems()[0];
            assert_eq!(
                (
                    p.record.as_str(),
                    p.index,
                    p.field.as_str(),
                    p.reason.as_str()
                ),
                ("customers", Some(0), "", "unknown field"),
                "{key}"
            );
            let json = err.to_json();
            for part in key.split(['.', '[', ']', '@']).filter(|p| p.len() > 1) {
                assert!(!json.contains(part), "{key}: {json}");
            }
            let top = format!(r#"{{{NIGHT},"{key}":1}}"#);
            let err = parse_batch(&top).unwrap_err();
            let p = &err.problems()[0];
            assert_eq!(
                (p.record.as_str(), p.field.as_str()),
                ("batch", ""),
                "{key}"
            );
            assert!(!err.to_json().contains("example"), "{key}");
        }
    }

    #[test]
    fn t6_numbers_out_of_range_name_the_field() {
        let p = problem(&format!(
            r#"{{{NIGHT},"transactions":[{{"id":"t0","kind":"sale","amount_minor":1e999,"currency":"EUR"}}]}}"#
        ));
        assert_eq!(
            (p.record.as_str(), p.index, p.field.as_str()),
            ("transactions", Some(0), "amount_minor")
        );
        assert!(!p.reason.contains("line"), "{p:?}");
        let p = problem(&format!(
            r#"{{{NIGHT},"transactions":[{{"id":"t0","kind":"sale","amount_minor":99999999999999999999,"currency":"EUR"}}]}}"#
        ));
        assert_eq!(p.field, "amount_minor");
        assert!(!p.reason.contains("99999"), "{p:?}");
        let err = parse_batch(
            r#"{"format":123456789012345678901234567890,"location":"p","business_dates":[]}"#,
        )
        .unwrap_err();
        assert_eq!(err.problems()[0].field, "format");
    }

    #[test]
    fn t6_padded_or_loose_dates_and_timestamps_are_invalid_naming_the_field() {
        for d in [
            "2026-11-20 ",
            " 2026-11-20",
            "2026-1-20",
            "+2026-11-20",
            "10000-01-01",
            "1969-12-31",
        ] {
            let p = problem(&format!(
                r#"{{"format":1,"location":"p","business_dates":["{d}"]}}"#
            ));
            assert_eq!(
                (p.record.as_str(), p.index),
                ("business_dates", Some(0)),
                "{d:?}: {p:?}"
            );
            assert!(!p.reason.contains(d.trim()), "{p:?}");
        }
        for t in [
            "2026-11-20T10:00:00Z ",
            "2026-11-20 10:00:00Z",
            "2026-11-20T10:00:00",
            "1969-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
        ] {
            let p = problem(&format!(
                r#"{{{NIGHT},"transactions":[{{"id":"t0","kind":"sale","amount_minor":1,"currency":"EUR","finalized_at":"{t}"}}]}}"#
            ));
            assert_eq!(
                (p.record.as_str(), p.field.as_str()),
                ("transactions", "finalized_at"),
                "{t:?}"
            );
        }
        let ok = parse_batch(&format!(
            r#"{{{NIGHT},"transactions":[{{"id":"t0","kind":"sale","amount_minor":1,"currency":"EUR","finalized_at":"9999-12-31T23:59:59.999Z"}}]}}"#
        ));
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn t6_over_long_or_control_host_ids_are_never_echoed() {
        let long = "SECRET".repeat(30);
        let err = parse_batch(&format!(
            r#"{{{NIGHT},"transactions":[{{"id":"{long}","kind":"gift","amount_minor":1,"currency":"EUR"}}]}}"#
        ))
        .unwrap_err();
        assert_eq!(err.problems()[0].host_id, None);
        assert!(!err.to_json().contains("SECRET"), "{err}");
        let err = Error::NotFound {
            what: "customer",
            id: long.clone(),
        };
        assert!(!err.to_string().contains("SECRET"), "{err}");
        let err = Error::NotFound {
            what: "customer",
            id: "a\u{202e}b".into(),
        };
        assert!(!err.to_string().contains('\u{202e}'), "{err}");
        let err = Error::NotFound {
            what: "customer",
            id: "c-42".into(),
        };
        assert!(err.to_string().contains("c-42"));
    }
}
