//! Helpers shared by the fuzz targets: a fixed clock, engines set up like the tests', and
//! the oracle every target applies to a typed error.

use chrono::{DateTime, TimeDelta, Utc};
use hearken::{Engine, Error, ErrorKind, Location, SyncReport};

/// 23:00 in Paris on 2026-11-20 (winter time): the night the seed batches are for.
pub fn night() -> DateTime<Utc> {
    "2026-11-20T22:00:00Z".parse().expect("fixed instant")
}

/// 10:00 in Paris the next morning: invitations of that night are due.
pub fn due() -> DateTime<Utc> {
    "2026-11-21T09:00:00Z".parse().expect("fixed instant")
}

/// A fresh in-memory engine with the two locations of tests/golden/locations.json.
pub fn engine() -> Engine {
    let e = Engine::open_in_memory().expect("open in memory");
    let mut paris = Location::new("paris", "Boutique Paris", "Europe/Paris");
    paris.review_link = Some("https://g.page/r/paris/review".into());
    e.upsert_location(&paris).expect("paris");
    e.upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
        .expect("seoul");
    e
}

/// The oracle for an error caused by input alone, on an in-memory store: it must be typed
/// as the input's fault (invalid, not found, conflict). `storage` or `internal` means a
/// check is missing (a constraint SQLite caught, a bug) and is a finding. The detail JSON
/// and the message must be producible too.
pub fn input_error(e: &Error, what: &str) {
    let json = e.to_json();
    let _ = e.to_string();
    assert!(
        json.starts_with('{') && json.ends_with('}'),
        "{what}: error detail is not a JSON object: {json}"
    );
    match e.kind() {
        ErrorKind::InvalidInput | ErrorKind::NotFound | ErrorKind::Conflict => {}
        other => panic!("{what}: input caused a {other:?} error: {json}"),
    }
}

/// Checks a successful sync: the report serialises, and re-running the same batch a little
/// later is accepted and creates no invitation (E8).
pub fn resync_creates_nothing(
    e: &Engine,
    batch: &hearken::SyncBatch,
    now: DateTime<Utc>,
    first: &SyncReport,
) {
    let _ = hearken::wire::to_json(first);
    match e.sync(batch, now + TimeDelta::minutes(5)) {
        Ok(again) => assert!(
            again.invitations.is_empty(),
            "E8: re-running an accepted batch created invitations: {:?}",
            again.invitations
        ),
        Err(err) => panic!("re-running an accepted batch failed: {}", err.to_json()),
    }
}

/// A survey with every question kind (the store's survey in the record_response and
/// c_entry_points targets; also a seed of the C door's `hk_engine_set_survey`).
pub const SURVEY_JSON: &str = r#"{"questions":[
{"id":"recommend","kind":"nps","text":{"en":"How likely are you to recommend {location}?","fr":"Recommanderiez-vous {location} ?"}},
{"id":"stars","kind":"rating","text":{"en":"Rate {location}"},"scale":5},
{"id":"fast","kind":"choice","text":{"en":"Was it fast?"},"options":[
 {"id":"yes","text":{"en":"Yes"},"satisfied":true},{"id":"no","text":{"en":"No"},"satisfied":false}]},
{"id":"comment","kind":"comment","text":{"en":"Anything else?"}},
{"id":"facets","kind":"facets","text":{"en":"What stood out?"}}]}"#;

/// One eligible customer at Paris on the night of 2026-11-20.
pub const INVITE_BATCH_JSON: &str = r#"{"format":1,"location":"paris","business_dates":["2026-11-20"],
"customers":[{"id":"c1","name":"Amélie Dupont","email":"amelie@example.fr","language":"fr-FR","include_in_communications":true}],
"transactions":[{"id":"t1","customer":"c1","kind":"sale","amount_minor":12900,"currency":"EUR","finalized_at":"2026-11-20T10:15:00+01:00"}]}"#;

/// A delivered invitation's link tokens: the last path segment of each link.
pub struct Links {
    pub survey: String,
    pub unsubscribe: String,
}

fn last_segment(url: &str) -> String {
    url.rsplit('/').next().unwrap_or_default().to_owned()
}

/// [`engine`] with [`SURVEY_JSON`] as its survey and one invitation claimed and acked at
/// [`due`]: returns the engine and the message's link tokens.
pub fn invited() -> (Engine, Links) {
    let e = engine();
    e.set_survey(&hearken::wire::parse_survey(SURVEY_JSON).expect("survey"))
        .expect("set survey");
    let report = e.sync_json(INVITE_BATCH_JSON, night()).expect("sync");
    assert_eq!(report.invitations.len(), 1);
    let mut messages = e.claim(10, due()).expect("claim");
    assert_eq!(messages.len(), 1);
    let m = messages.pop().expect("one message");
    e.ack(&m.message_id, due()).expect("ack");
    let links = Links {
        survey: last_segment(m.survey_link.as_deref().expect("survey link")),
        unsubscribe: last_segment(m.unsubscribe_link.as_deref().expect("unsubscribe link")),
    };
    (e, links)
}

/// A valid answer to [`SURVEY_JSON`]: a promoter.
pub fn promoter() -> hearken::ResponseInput {
    hearken::wire::parse_response(r#"{"answers":[{"question":"recommend","score":10}]}"#)
        .expect("promoter")
}

/// Speed: a store left unchanged by the previous input is reused instead of set up again
/// (the setup dominates the time of an execution). Sound because every write is one
/// transaction and a rejected call changes nothing; a target gives the store back only
/// when its calls all failed. Each thread (libFuzzer runs one) keeps its own.
pub struct Reuse<T>(std::cell::RefCell<Option<T>>);

impl<T> Reuse<T> {
    pub const fn new() -> Self {
        Reuse(std::cell::RefCell::new(None))
    }

    /// The kept store, or a new one from `make`.
    pub fn take(&self, make: impl FnOnce() -> T) -> T {
        self.0.borrow_mut().take().unwrap_or_else(make)
    }

    /// Keeps an unchanged store for the next input.
    pub fn give_back(&self, store: T) {
        *self.0.borrow_mut() = Some(store);
    }
}

impl<T> Default for Reuse<T> {
    fn default() -> Self {
        Self::new()
    }
}
