//! Versioned schema: one migration step per `user_version`.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// `MIGRATIONS[i]` upgrades a database from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15, V16, V17, V18, V19, V20, V21,
];

/// The `application_id` hearken stamps in every store it creates or migrates ("HKN1").
pub(crate) const APPLICATION_ID: i32 = 0x484B_4E31;

/// The first schema version with the event feed (D1).
pub(crate) const EVENTS_VERSION: i64 = 12;

/// The schema version this library writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const V1: &str = r#"
CREATE TABLE settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL
) STRICT;

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    host_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    review_link TEXT,
    business_type TEXT
) STRICT;

CREATE TABLE sync_dates (
    location_id INTEGER NOT NULL REFERENCES locations(id),
    business_date TEXT NOT NULL,
    synced_at INTEGER NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('sync', 'backfill')),
    PRIMARY KEY (location_id, business_date)
) STRICT, WITHOUT ROWID;

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    host_id TEXT NOT NULL UNIQUE,
    name TEXT,
    email TEXT,
    email_norm TEXT,
    phone TEXT,
    phone_norm TEXT,
    language TEXT,
    gender TEXT,
    reference TEXT,
    include_in_communications INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    host_id TEXT NOT NULL UNIQUE,
    name TEXT,
    role TEXT NOT NULL
) STRICT;

CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    host_id TEXT NOT NULL UNIQUE,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    customer_id INTEGER REFERENCES customers(id),
    kind TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    finalized_at INTEGER,
    excluded INTEGER NOT NULL,
    first_seen_on TEXT NOT NULL
) STRICT;
CREATE INDEX transactions_customer ON transactions(customer_id);

CREATE TABLE transaction_employees (
    transaction_id INTEGER NOT NULL REFERENCES transactions(id),
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    PRIMARY KEY (transaction_id, employee_id)
) STRICT, WITHOUT ROWID;

-- One row per transaction once evaluated (E9); reason NULL means invited.
CREATE TABLE decisions (
    transaction_id INTEGER PRIMARY KEY REFERENCES transactions(id),
    business_date TEXT NOT NULL,
    reason TEXT,
    eligible_again_on TEXT,
    decided_at INTEGER NOT NULL
) STRICT;

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    transaction_id INTEGER REFERENCES transactions(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    trigger TEXT NOT NULL CHECK (trigger IN ('transaction')),
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    business_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'cancelled', 'failed')),
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX invitations_one_per_transaction
    ON invitations(transaction_id) WHERE trigger = 'transaction';
CREATE INDEX invitations_customer ON invitations(customer_id, business_date);
CREATE INDEX invitations_status ON invitations(status, due_at);

-- Global unsubscribe (E3): kind 'email' | 'phone' | 'customer', value normalised.
CREATE TABLE suppressions (
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'customer')),
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) STRICT, WITHOUT ROWID;
"#;

/// Fails with [`Error::NewerSchema`] if the file was written by a newer library.
pub fn refuse_newer(conn: &Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Version 2: the delivery outbox, link tokens, template overrides (issue 5).
const V2: &str = r#"
ALTER TABLE invitations ADD COLUMN delivered_at INTEGER;

CREATE TABLE delivery_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL
) STRICT;

-- One row per message to deliver. It holds the template id (kind) and its parameters
-- (the rows it refers to, and `params`), never rendered text: rendering and token minting
-- happen at claim time, so a resend or a retry gets a working link.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    invitation_id INTEGER REFERENCES invitations(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'in_flight', 'acked', 'failed', 'cancelled')),
    due_at INTEGER NOT NULL,
    lease_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    cancel_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_claim ON outbox(status, due_at);
CREATE INDEX outbox_lease ON outbox(status, lease_until);
CREATE INDEX outbox_invitation ON outbox(invitation_id);

-- Only the SHA-256 of each token is kept.
CREATE TABLE link_tokens (
    hash BLOB PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('survey', 'unsubscribe')),
    invitation_id INTEGER REFERENCES invitations(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    used_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE templates (
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, channel, language)
) STRICT, WITHOUT ROWID;

-- Suppressions imported from other stores: SHA-256 of pepper + normalised contact (hex).
CREATE TABLE suppression_hashes (
    hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    source TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Invitations queued before the outbox existed become its first messages.
INSERT INTO outbox (message_id, kind, invitation_id, customer_id, location_id, channel,
                    language, status, due_at, created_at, updated_at)
SELECT lower(hex(randomblob(16))), 'survey_invitation', id, customer_id, location_id,
       channel, language, 'pending', due_at, created_at, created_at
FROM invitations WHERE status = 'pending';
"#;

/// Version 3: surveys, responses, receipt links, reviews and reminders (issue 6).
const V3: &str = r#"
ALTER TABLE invitations ADD COLUMN reminder_decided INTEGER NOT NULL DEFAULT 0;
CREATE INDEX invitations_reminders ON invitations(reminder_decided, delivered_at)
    WHERE status = 'delivered';

CREATE TABLE survey (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL
) STRICT;

CREATE TABLE feedback_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL
) STRICT;

-- E-receipt feedback switched off per location (F1); absent = on.
CREATE TABLE location_feedback (
    location_id INTEGER PRIMARY KEY REFERENCES locations(id),
    enabled INTEGER NOT NULL
) STRICT;

-- Receipt links: one token each, one anonymous response each (F6).
CREATE TABLE receipt_links (
    hash BLOB PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    transaction_id INTEGER REFERENCES transactions(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT, WITHOUT ROWID;

-- Responses are never edited (F3); deleting one leaves a response_deletions row.
CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('invitation', 'receipt', 'ereceipt')),
    invitation_id INTEGER UNIQUE REFERENCES invitations(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    customer_id INTEGER REFERENCES customers(id),
    transaction_id INTEGER REFERENCES transactions(id),
    nps INTEGER CHECK (nps BETWEEN 0 AND 10),
    rating INTEGER,
    rating_scale INTEGER,
    score_base10 REAL,
    unhappy INTEGER NOT NULL,
    sentiment TEXT NOT NULL CHECK (sentiment IN ('positive', 'negative', 'unknown')),
    facets TEXT NOT NULL,
    comment TEXT,
    answers TEXT NOT NULL,
    consent_to_reply INTEGER NOT NULL,
    review_link_shown INTEGER NOT NULL,
    review_clicked_at INTEGER,
    review_confirmed_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX responses_location ON responses(location_id, created_at);
CREATE INDEX responses_customer ON responses(customer_id);

CREATE TABLE response_deletions (
    response_id INTEGER PRIMARY KEY,
    customer TEXT,
    responded_at INTEGER NOT NULL,
    score_base10 REAL,
    deleted_by TEXT NOT NULL,
    deleted_at INTEGER NOT NULL
) STRICT;
"#;

/// Version 4: users, alerts and their handling, reply threads, external reviews (issue 7).
const V4: &str = r#"
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    host_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'owner', 'manager', 'staff')),
    language TEXT,
    notify TEXT NOT NULL CHECK (notify IN ('all', 'negative', 'none')),
    active INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE alert_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL
) STRICT;

-- The locations a user covers (none = every location).
CREATE TABLE user_locations (
    user_id INTEGER NOT NULL REFERENCES users(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    PRIMARY KEY (user_id, location_id)
) STRICT, WITHOUT ROWID;

-- The locations a user hears about (none = every location), A2.
CREATE TABLE user_notify_locations (
    user_id INTEGER NOT NULL REFERENCES users(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    PRIMARY KEY (user_id, location_id)
) STRICT, WITHOUT ROWID;

-- A1: one user per alert kind and location; location 0 is the store-wide default.
CREATE TABLE alert_assignments (
    kind TEXT NOT NULL,
    location_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (kind, location_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN
        ('unhappy_customer', 'negative_feedback', 'unanswered_reviews', 'sync_gap')),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    customer_id INTEGER REFERENCES customers(id),
    -- Not a foreign key: a deleted response (F3) leaves its alert and the work done on it.
    response_id INTEGER,
    user_id INTEGER REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    detail TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER,
    escalated_at INTEGER,
    follow_up_at INTEGER
) STRICT;
CREATE INDEX alerts_status ON alerts(status, location_id);
CREATE UNIQUE INDEX alerts_one_per_response ON alerts(response_id)
    WHERE response_id IS NOT NULL;
-- At most one open review or sync-gap alert per location.
CREATE UNIQUE INDEX alerts_one_open_per_location ON alerts(kind, location_id)
    WHERE status != 'done' AND kind IN ('unanswered_reviews', 'sync_gap');

-- A3: how an alert was handled. user_id NULL with author 'customer' is the customer's
-- reply; with author 'system' it is hearken closing an alert by itself (A5, S2).
CREATE TABLE alert_interactions (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    method TEXT NOT NULL CHECK (method IN ('email', 'phone', 'sms', 'in_person', 'other')),
    note TEXT NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('business', 'customer', 'system')),
    user_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX alert_interactions_alert ON alert_interactions(alert_id);

-- A4: the answer to a post-intervention survey; kept apart from the store's scores.
CREATE TABLE alert_follow_ups (
    alert_id INTEGER PRIMARY KEY REFERENCES alerts(id),
    nps INTEGER,
    score_base10 REAL,
    comment TEXT,
    created_at INTEGER NOT NULL
) STRICT;
ALTER TABLE link_tokens ADD COLUMN alert_id INTEGER REFERENCES alerts(id);

-- F2: each response is a conversation; its comments, the customer's and the business's.
CREATE TABLE thread_comments (
    id INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('customer', 'business')),
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'reply', 'reward', 'refund')),
    body TEXT NOT NULL,
    coupon_code TEXT,
    amount_minor INTEGER,
    currency TEXT,
    user_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX thread_comments_response ON thread_comments(response_id, id);
INSERT INTO thread_comments (response_id, author, kind, body, created_at)
SELECT id, 'customer', 'comment', comment, created_at FROM responses
WHERE comment IS NOT NULL AND comment != '';

-- Tracking reply addresses (A3, F2): only the SHA-256 of each token is kept.
CREATE TABLE reply_addresses (
    hash BLOB PRIMARY KEY,
    response_id INTEGER NOT NULL,
    alert_id INTEGER REFERENCES alerts(id),
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A5: reviews the host found on external sites, and whether each has a reply.
CREATE TABLE external_reviews (
    id INTEGER PRIMARY KEY,
    host_id TEXT NOT NULL UNIQUE,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    site TEXT NOT NULL,
    rating INTEGER,
    posted_at INTEGER NOT NULL,
    replied_at INTEGER
) STRICT;
CREATE INDEX external_reviews_unanswered ON external_reviews(location_id)
    WHERE replied_at IS NULL;

-- Right to be forgotten: an erased customer's personal fields stay empty, even when the
-- POS sends them again.
ALTER TABLE customers ADD COLUMN erased_at INTEGER;

-- The outbox also carries staff notifications (no customer) and business replies.
CREATE TABLE outbox_v4 (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    invitation_id INTEGER REFERENCES invitations(id),
    customer_id INTEGER REFERENCES customers(id),
    user_id INTEGER REFERENCES users(id),
    alert_id INTEGER REFERENCES alerts(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'in_flight', 'acked', 'failed', 'cancelled')),
    due_at INTEGER NOT NULL,
    lease_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    cancel_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((customer_id IS NULL) != (user_id IS NULL))
) STRICT;
INSERT INTO outbox_v4 (id, message_id, kind, invitation_id, customer_id, location_id, channel,
                       language, params, status, due_at, lease_until, attempts, last_error,
                       cancel_reason, created_at, updated_at)
SELECT id, message_id, kind, invitation_id, customer_id, location_id, channel, language,
       params, status, due_at, lease_until, attempts, last_error, cancel_reason, created_at,
       updated_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;
CREATE INDEX outbox_claim ON outbox(status, due_at);
CREATE INDEX outbox_lease ON outbox(status, lease_until);
CREATE INDEX outbox_invitation ON outbox(invitation_id);
"#;

/// Version 5: daily rollups of responses and other stores' aggregates (issue 8). The
/// migration also fills the rollups from the existing responses ([`migrate`]).
const V5: &str = r#"
-- Per location x employee x local day: responses, NPS categories, ratings. employee_id 0
-- is the location's total (each response once); others are the employees credited (N2).
CREATE TABLE rollups_daily (
    employee_id INTEGER NOT NULL,
    location_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    responses INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    passives INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    -- Sum of base-10 ratings in 1/2520 units: exact for every scale 2-10.
    rating_units INTEGER NOT NULL,
    PRIMARY KEY (employee_id, location_id, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX rollups_daily_location ON rollups_daily(location_id, day);
CREATE INDEX responses_transaction ON responses(transaction_id)
    WHERE transaction_id IS NOT NULL;

-- Aggregate bundles imported from other stores (no personal data, no ids but a label).
CREATE TABLE peer_aggregates (
    store TEXT NOT NULL,
    location INTEGER NOT NULL,
    month TEXT NOT NULL,
    promoters INTEGER NOT NULL,
    passives INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    rating_sum REAL NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (store, location, month)
) STRICT, WITHOUT ROWID;
"#;

const V6: &str = r#"
-- The stored form of the settings (store/settings.rs): one row per setting under a key
-- fixed by the store, instead of one JSON document per group in the wire's field names.
CREATE TABLE setting_values (
    grp TEXT NOT NULL,
    key TEXT NOT NULL,
    value ANY,
    PRIMARY KEY (grp, key)
) STRICT, WITHOUT ROWID;
INSERT INTO setting_values (grp, key, value)
    SELECT 'store', j.key, j.value FROM settings, json_each(settings.json) j
    WHERE j.type IN ('integer', 'text');
INSERT INTO setting_values (grp, key, value)
    SELECT 'delivery', j.key, j.value FROM delivery_settings, json_each(delivery_settings.json) j
    WHERE j.type IN ('integer', 'text');
INSERT INTO setting_values (grp, key, value)
    SELECT 'alerts', j.key, j.value FROM alert_settings, json_each(alert_settings.json) j
    WHERE j.type IN ('integer', 'text');
INSERT INTO setting_values (grp, key, value)
    SELECT 'feedback', j.key, j.value FROM feedback_settings, json_each(feedback_settings.json) j
    WHERE j.type IN ('integer', 'text');
DROP TABLE settings;
DROP TABLE delivery_settings;
DROP TABLE alert_settings;
DROP TABLE feedback_settings;
"#;

/// Version 7: the contact policy (P1–P8): survey kinds, the contact an invitation was
/// addressed to, refunds, appended decision events, relationship decisions, per-location
/// volume rules and calendars, and the sampling salt.
const V7: &str = r#"
ALTER TABLE invitations ADD COLUMN survey_kind TEXT NOT NULL DEFAULT 'transactional'
    CHECK (survey_kind IN ('transactional', 'relationship'));
-- The normalised contact of the channel the invitation was addressed to (P3).
ALTER TABLE invitations ADD COLUMN contact TEXT;
UPDATE invitations SET contact = (
    SELECT CASE invitations.channel WHEN 'sms' THEN c.phone_norm ELSE c.email_norm END
    FROM customers c WHERE c.id = invitations.customer_id);
CREATE INDEX invitations_contact ON invitations(contact) WHERE contact IS NOT NULL;

-- A refund or void names its sale by host id (P6); the sale may arrive later.
ALTER TABLE transactions ADD COLUMN refers_to TEXT;
CREATE INDEX transactions_refers_to ON transactions(refers_to) WHERE refers_to IS NOT NULL;

-- P3: the other customer record a shared contact was matched with. P6: a decision is
-- never rewritten; a later refund appends when and why its invitation was cancelled.
ALTER TABLE decisions ADD COLUMN related_customer TEXT;
ALTER TABLE decisions ADD COLUMN cancelled_on TEXT;
ALTER TABLE decisions ADD COLUMN cancel_reason TEXT;

-- P7: one relationship decision per customer and business date; reason NULL = invited.
CREATE TABLE relationship_decisions (
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    business_date TEXT NOT NULL,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    invitation_id INTEGER REFERENCES invitations(id),
    reason TEXT,
    eligible_again_on TEXT,
    related_customer TEXT,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (customer_id, business_date)
) STRICT;

-- P4: a location's own volume rules; NULL keeps the store's value.
CREATE TABLE location_policies (
    location_id INTEGER PRIMARY KEY REFERENCES locations(id),
    daily_cap INTEGER,
    sample_percent INTEGER,
    monthly_response_quota INTEGER
) STRICT;

-- P5: calendars; scope 0 is the store's, otherwise a location's row id. A scope has a
-- calendar when it has its seven weekday rows.
CREATE TABLE calendar_days (
    scope INTEGER NOT NULL,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    sends INTEGER NOT NULL,
    opens INTEGER,
    closes INTEGER,
    PRIMARY KEY (scope, weekday)
) STRICT, WITHOUT ROWID;
CREATE TABLE closed_dates (
    scope INTEGER NOT NULL,
    date TEXT NOT NULL,
    PRIMARY KEY (scope, date)
) STRICT, WITHOUT ROWID;

-- P4: the sampling salt, random for each store, settable so a test can fix it.
INSERT INTO setting_values (grp, key, value)
    VALUES ('policy', 'sample_salt', lower(hex(randomblob(16))));
"#;

/// Version 8: one-click scores in the e-mail (M1, issue 16). A click stores a partial
/// response (`completed_at` NULL) holding the score; the survey page completes it once.
/// Responses and follow-up answers stored before were complete. Templates get an HTML part.
const V8: &str = r#"
ALTER TABLE responses ADD COLUMN completed_at INTEGER;
UPDATE responses SET completed_at = created_at;
ALTER TABLE alert_follow_ups ADD COLUMN completed_at INTEGER;
UPDATE alert_follow_ups SET completed_at = created_at;
ALTER TABLE templates ADD COLUMN html TEXT;
"#;

/// Version 9: erasure forgets every contact (T2). A plain suppression added on a
/// customer's behalf (her unsubscribe, or a contact she had when a sync replaced it)
/// remembers whose it is, so erasing her turns it into a peppered hash. A hash is never
/// made with an empty pepper: a store without one gets a random pepper; one that already
/// holds hashes made with the empty pepper keeps matching them (`legacy_empty_pepper`).
const V9: &str = r#"
ALTER TABLE suppressions ADD COLUMN customer_id INTEGER;
CREATE INDEX suppressions_customer ON suppressions(customer_id) WHERE customer_id IS NOT NULL;
INSERT INTO setting_values (grp, key, value)
    SELECT 'suppression', 'legacy_empty_pepper', 1
    WHERE EXISTS (SELECT 1 FROM suppression_hashes)
      AND COALESCE((SELECT value FROM setting_values
                    WHERE grp = 'delivery' AND key = 'suppression_pepper'), '') = '';
INSERT INTO setting_values (grp, key, value)
    VALUES ('delivery', 'suppression_pepper', lower(hex(randomblob(32))))
    ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value
    WHERE setting_values.value = '' OR setting_values.value IS NULL;
"#;

/// Version 10: indexes, so that what a night, a claim or the timers read follows tonight's
/// work and the rules' windows, not the store's age (issue "Performance";
/// tests/query_plans.rs checks the plans). Partial where the queries are.
const V10: &str = r#"
-- A3: open alerts not yet escalated, by age (every run of the timers).
CREATE INDEX alerts_escalation ON alerts(created_at)
    WHERE status != 'done' AND escalated_at IS NULL;
-- P7: the sales of the relationship survey's window.
CREATE INDEX transactions_finalized ON transactions(finalized_at)
    WHERE customer_id IS NOT NULL;
-- E4, P1-P3: a person's latest invitation of each kind, and the ones of P2's year. Not
-- partial on the status: an ack (pending -> delivered) then leaves them untouched.
CREATE INDEX invitations_person ON invitations(customer_id, survey_kind, business_date);
CREATE INDEX invitations_contact_person
    ON invitations(contact, survey_kind, business_date, customer_id)
    WHERE contact IS NOT NULL;
-- Delivered messages whose stored text is still there (slimmed after a retention).
CREATE INDEX outbox_unslimmed ON outbox(updated_at)
    WHERE status = 'acked' AND (params <> '{}' OR last_error IS NOT NULL);
"#;

/// Version 11: fewer index entries written per sale and per message (issues 25 and 26: the
/// big sync and the morning drain). Two indexes no statement reads are dropped (their
/// leading column leads a wider index too), and the queues' indexes hold only the rows
/// still waiting: a lease, an ack or a reminder decision then removes an entry instead of
/// moving it, and a sale's message is entered in one queue index instead of two. The
/// status constraints of both tables are written without an IN list (same rule).
/// tests/query_plans.rs checks the plans.
const V11: &str = r#"
-- Every statement reading a customer's invitations (E4, F4, T2, explain) searches
-- invitations_person (customer_id first); by contact, invitations_contact_person.
DROP INDEX invitations_customer;
DROP INDEX invitations_contact;
-- The invitations waiting for delivery, by due time.
DROP INDEX invitations_status;
CREATE INDEX invitations_pending ON invitations(due_at) WHERE status = 'pending';
-- R1, F5: delivered invitations whose reminder is still to be decided.
DROP INDEX invitations_reminders;
CREATE INDEX invitations_reminders ON invitations(delivered_at)
    WHERE status = 'delivered' AND reminder_decided = 0;
-- T8: a claim reads pending messages by due time and expired leases by lease time.
DROP INDEX outbox_claim;
CREATE INDEX outbox_claim ON outbox(due_at) WHERE status = 'pending';
DROP INDEX outbox_lease;
CREATE INDEX outbox_lease ON outbox(lease_until) WHERE status = 'in_flight';
-- The same status constraints without an IN list: SQLite builds a temporary table for an
-- IN list of more than two values on every run of a statement that checks it (every
-- INSERT, and every UPDATE of the status), about 20k instructions each. The rows on disk
-- are unchanged and satisfy both forms, so the tables' text is rewritten in place, as
-- SQLite documents for constraint changes (https://sqlite.org/lang_altertable.html,
-- "otheralter"); the index changes above bump the schema cookie, RESET reloads ours.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''in_flight'', ''acked'', ''failed'', ''cancelled''))',
    'CHECK (status = ''pending'' OR status = ''in_flight'' OR status = ''acked''
               OR status = ''failed'' OR status = ''cancelled'')')
 WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''delivered'', ''cancelled'', ''failed''))',
    'CHECK (status = ''pending'' OR status = ''delivered'' OR status = ''cancelled''
                              OR status = ''failed'')')
 WHERE type = 'table' AND name = 'invitations';
PRAGMA writable_schema = RESET;
"#;

/// Version 12: the event feed (D1). Events are numbered after the last number given: the
/// newest event's, or `event_meta.last_seq`, where a prune keeps the newest number it
/// deletes (pruning may empty the table, and a number is never given twice); the store
/// has an incarnation, a random text renewed by a backup's copy, so a cursor from another
/// copy of the store is told apart.
const V12: &str = r#"
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL
) STRICT;
CREATE TABLE event_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    incarnation TEXT NOT NULL,
    last_seq INTEGER NOT NULL
) STRICT;
INSERT INTO event_meta (id, incarnation, last_seq) VALUES (1, lower(hex(randomblob(8))), 0);
"#;

/// Version 13: delivery feedback (D3) and consent history (D5). An invitation whose
/// message bounced hard is `bounced` (treated as failed before delivery); `bounces` marks
/// a normalised contact unusable until the POS sends another one; `consent_changes`
/// records each change of consent with its time and source. The invitations' status
/// constraint gains `bounced` in place, as version 11 rewrote it (same rows, a wider
/// rule); the new tables bump the schema cookie, RESET reloads ours.
const V13: &str = r#"
-- D3: one mark per normalised contact (kind 'email' | 'phone'): when it bounced hard and
-- on which message; customer_id is the customer it was addressed to (erasure, T2).
CREATE TABLE bounces (
    kind TEXT NOT NULL CHECK (kind = 'email' OR kind = 'phone'),
    value TEXT NOT NULL,
    bounced_at INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    customer_id INTEGER,
    PRIMARY KEY (kind, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX bounces_customer ON bounces(customer_id) WHERE customer_id IS NOT NULL;
-- D5: each change of consent, for a customer (row id) and/or a normalised contact (or an
-- imported hash), per channel ('email' | 'sms' | 'all') and purpose ('surveys' |
-- 'replies'), with its source and time.
CREATE TABLE consent_changes (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER,
    contact TEXT,
    channel TEXT NOT NULL,
    purpose TEXT NOT NULL,
    granted INTEGER NOT NULL,
    source TEXT NOT NULL,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX consent_changes_customer ON consent_changes(customer_id)
    WHERE customer_id IS NOT NULL;
CREATE INDEX consent_changes_contact ON consent_changes(contact) WHERE contact IS NOT NULL;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'OR status = ''failed'')',
    'OR status = ''failed'' OR status = ''bounced'')')
 WHERE type = 'table' AND name = 'invitations';
PRAGMA writable_schema = RESET;
"#;

/// Version 14: messages that belong to no customer, user or location (D2's webhooks, D4's
/// keyword replies to a phone), and the indexes a data-subject call (D6, D7) needs to find
/// a customer's rows without reading history: the outbox by customer and by alert, a
/// staff notification by the response it is about (the `about` its text records), alerts
/// by customer, and the deletion log by customer. An invitation's messages are found through
/// the customer's invitations, so the index by customer holds only the other messages (a
/// sync's inserts pay nothing for it). The outbox's location becomes optional
/// and its "a customer or a user" rule becomes "not both", rewritten in place as version
/// 11 did (SQLite documents removing NOT NULL and CHECK constraints this way: the rows on
/// disk are unchanged and satisfy the wider rule).
const V14: &str = r#"
CREATE INDEX outbox_customer ON outbox(customer_id) WHERE invitation_id IS NULL;
CREATE INDEX outbox_alert ON outbox(alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX outbox_about ON outbox(json_extract(params, '$.about'))
    WHERE user_id IS NOT NULL;
CREATE INDEX alerts_customer ON alerts(customer_id);
CREATE INDEX response_deletions_customer ON response_deletions(customer)
    WHERE customer IS NOT NULL;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'location_id INTEGER NOT NULL REFERENCES locations(id)',
    'location_id INTEGER REFERENCES locations(id)'),
    'CHECK ((customer_id IS NULL) != (user_id IS NULL))',
    'CHECK (customer_id IS NULL OR user_id IS NULL)')
 WHERE type = 'table' AND name = 'outbox';
PRAGMA writable_schema = RESET;
"#;

/// Version 15: webhook subscriptions (D2). A subscription's id is never reused
/// (AUTOINCREMENT): a message keeps pointing at the subscription it was queued to. A
/// webhook message names its subscription in `outbox.webhook_id`, indexed for the rows that
/// have one, so removing a subscription finds its pending messages without a scan.
const V15: &str = r#"
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until INTEGER,
    event_types TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status = 'active' OR status = 'disabled'),
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER,
    disabled_reason TEXT
) STRICT;
CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions(id)
    WHERE status = 'active';
ALTER TABLE outbox ADD COLUMN webhook_id INTEGER;
CREATE INDEX outbox_webhook ON outbox(webhook_id) WHERE webhook_id IS NOT NULL;
"#;

/// Version 16: inbound SMS (D4). A reply that is not a keyword or a score is kept with the
/// phone it came from (E.164) and the customer who has that phone, if one does: personal
/// data, erased with the customer or the contact (T2) and in an access export (D6). A
/// keyword opt-out is a plain phone suppression with source `keyword`: no new column.
const V16: &str = r#"
CREATE TABLE inbound_replies (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,
    customer_id INTEGER,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX inbound_replies_phone ON inbound_replies(phone);
CREATE INDEX inbound_replies_customer ON inbound_replies(customer_id)
    WHERE customer_id IS NOT NULL;
"#;

/// Version 17: a phone's suppression remembers apart when an SMS keyword asked for it
/// (`keyword_at`, D4), so START lifts only what a keyword asked: `source` is `keyword`
/// only while no one else asked (a link, the host, a complaint); once someone did, it
/// names them and `created_at` is their date, and START clears `keyword_at` alone. A
/// keyword suppression of earlier versions was asked by the keyword alone.
///
/// Erasing a phone (T2, D6) finds hearken's own texts to it (`sms_keyword_reply`: an
/// opt-out's confirmation, a HELP text), queued for no customer when none had the phone,
/// by the phone their text records: a partial index holds those rows only, so other
/// messages pay one comparison of their kind when written.
const V17: &str = r#"
ALTER TABLE suppressions ADD COLUMN keyword_at INTEGER;
UPDATE suppressions SET keyword_at = created_at WHERE source = 'keyword';
CREATE INDEX outbox_sms_reply ON outbox(json_extract(params, '$.phone'))
    WHERE kind = 'sms_keyword_reply';
"#;

/// Version 18: the transactions by customer are indexed within the month they were first
/// seen (issue 25). An index of every sale ever made by customer sent each of a night's
/// sales to a different leaf page (460 of an old store's 628 pages written a night); keyed
/// by month first, a night writes into its month's part only. Readers of a customer's
/// transactions visit each month present with one search (`customer_transactions!`); the
/// location is in the key so a location filter needs no row. The month is a number
/// (`202612`): a text key made a backfill of three years 10 % dearer, a number none.
const V18: &str = r#"
DROP INDEX transactions_customer;
CREATE INDEX transactions_customer_month ON transactions(
    CAST(replace(substr(first_seen_on, 1, 7), '-', '') AS INTEGER), customer_id, location_id);
"#;

/// Version 19: the transactions by customer are indexed within the 30-day period of the
/// sale (`finalized_at / 2592000000`; `-1` for a sale not finalized) instead of the month it
/// was first seen, and P7 reads its window of sales from that index: the index of the
/// sales by time alone (`transactions_finalized`, version 10), which only P7 read, is
/// dropped (issue 26: one b-tree entry fewer per sale, 0.13 s of a 100k-sale sync). A
/// night's sales still land in one period's part of the index (issue 25), and the key is
/// computed by one division instead of text functions. The sale's time ends the key, so P7
/// tests the window's first day on the index and reads no row of that period's earlier
/// sales (a 30-day window read up to twice its rows without it).
const V19: &str = r#"
DROP INDEX transactions_finalized;
DROP INDEX transactions_customer_month;
CREATE INDEX transactions_customer_period ON transactions(
    coalesce(finalized_at / 2592000000, -1), customer_id, location_id, finalized_at);
"#;

/// Version 20: the relationship invitations that hold a customer (P1, P7: pending or
/// delivered) indexed by customer and date, alone. Every night P7 asks, for each customer
/// active in its window, whether such an invitation is dated after the held date: with
/// `invitations_person` each answer read the invitation's row for its status; this index
/// answers from itself (the guard's two-year night: −10 % instructions). It holds an entry
/// for each relationship invitation while it is pending or delivered: a cancelled or
/// failed one leaves it, and so stops holding the customer.
const V20: &str = r#"
CREATE INDEX invitations_relationship_held ON invitations(customer_id, business_date)
    WHERE survey_kind = 'relationship' AND status IN ('pending', 'delivered');
"#;

/// Version 21: each person's latest counting invitation of each kind in one small row
/// (issue 25: what a night reads of a person no longer grows with the store's age). E4 and
/// P1–P3 read, of a person's history before their window, the invitations of the latest
/// date of each kind still pending or delivered, and whether each was answered. In a
/// three-year store each customer's entries of `invitations_person` sat on a page of their
/// own and each status on its invitation's row, so every customer of a night cost page
/// reads a young store did not make (763 against 273 a 500-sale night).
///
/// `person_latest` holds, per customer and kind, that date, how many invitations of it
/// count and how many of those were answered; the store reads it when the rules have no
/// window (P2's year off), the invitations as before when they have one. The store's
/// writers keep it (`person_latest.rs`); the view `person_latest_recounted` is the same
/// counted from the invitations and responses themselves: this step fills the table from
/// it, and `Engine::check` and debug builds compare the two.
const V21: &str = r#"
CREATE TABLE person_latest (
    customer_id INTEGER NOT NULL,
    survey_kind TEXT NOT NULL,
    business_date TEXT NOT NULL,
    invited INTEGER NOT NULL CHECK (invited > 0),
    answered INTEGER NOT NULL CHECK (answered BETWEEN 0 AND invited),
    PRIMARY KEY (customer_id, survey_kind)
) STRICT, WITHOUT ROWID;

CREATE VIEW person_latest_recounted AS
SELECT i.customer_id, i.survey_kind, i.business_date, count(*) AS invited,
       count(r.id) AS answered
FROM invitations i LEFT JOIN responses r ON r.invitation_id = i.id
WHERE i.status IN ('pending', 'delivered')
  AND i.business_date = (SELECT j.business_date FROM invitations j
      WHERE j.customer_id = i.customer_id AND j.survey_kind = i.survey_kind
        AND j.status IN ('pending', 'delivered')
      ORDER BY j.business_date DESC LIMIT 1)
GROUP BY i.customer_id, i.survey_kind, i.business_date;

INSERT INTO person_latest (customer_id, survey_kind, business_date, invited, answered)
SELECT customer_id, survey_kind, business_date, invited, answered
FROM person_latest_recounted;
"#;

/// Brings the database to [`SCHEMA_VERSION`] in one immediate transaction, or refuses a
/// database written by a newer library.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let stamped: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if version == SCHEMA_VERSION && stamped == APPLICATION_ID {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read inside the write lock: another process may have migrated meanwhile.
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    // hearken's own id in the header tells its stores from other files (T7).
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    for step in &MIGRATIONS[usize::try_from(version).unwrap_or(0)..] {
        tx.execute_batch(step)?;
    }
    if version < 5 {
        // V5's rollups start from the responses already stored (local days need each
        // location's time zone, so this step is Rust, not SQL).
        super::rollups::rebuild_rollups(&tx)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// The schema as SQL text, ordered, for comparing a migrated database with a fresh one.
#[cfg(test)]
pub(crate) fn dump_schema(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{}|{}|{}|{}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?.unwrap_or_default()
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::params;

    /// A database brought up step by step equals one created fresh at the current version.
    #[test]
    fn migrated_schema_equals_fresh_schema() {
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();
        for start in 0..SCHEMA_VERSION {
            let mut old = Connection::open_in_memory().unwrap();
            for step in &MIGRATIONS[..start as usize] {
                old.execute_batch(step).unwrap();
            }
            old.pragma_update(None, "user_version", start).unwrap();
            migrate(&mut old).unwrap();
            assert_eq!(
                dump_schema(&old),
                dump_schema(&fresh),
                "from version {start}"
            );
            let v: i64 = old
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(v, SCHEMA_VERSION);
        }
    }

    /// Version 14: a message may have no customer, user or location (a webhook, a keyword
    /// reply to a phone), but never both a customer and a user.
    #[test]
    fn an_outbox_message_may_have_no_location_but_not_two_recipients() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        let insert = |id: i64, customer: Option<i64>, user: Option<i64>| {
            c.execute(
                "INSERT INTO outbox (message_id, kind, customer_id, user_id, location_id, channel,
                                     language, status, due_at, created_at, updated_at)
                 VALUES (?1, 'webhook', ?2, ?3, NULL, 'email', 'en', 'pending', 0, 0, 0)",
                params![format!("m{id}"), customer, user],
            )
        };
        c.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        insert(1, None, None).expect("no customer, user or location");
        insert(2, Some(1), None).expect("a customer");
        let both = insert(3, Some(1), Some(1)).unwrap_err();
        assert!(both.to_string().contains("CHECK"), "{both}");
    }

    /// Version 11 writes the status constraints without IN lists: an INSERT into the
    /// queue tables builds no temporary table, and a status outside the list is still
    /// refused.
    #[test]
    fn status_constraints_hold_without_a_temporary_table() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        let inserts = [
            "INSERT INTO invitations (customer_id, location_id, trigger, channel, language,
               business_date, status, due_at, created_at) VALUES (1, 1, 'transaction',
               'email', 'fr', '2026-11-23', ?1, 0, 0)",
            "INSERT INTO outbox (message_id, kind, customer_id, location_id, channel, language,
               status, due_at, created_at, updated_at) VALUES ('m', 'survey_invitation', 1, 1,
               'email', 'fr', ?1, 0, 0, 0)",
        ];
        for sql in inserts {
            let opcodes: Vec<String> = c
                .prepare(&format!("EXPLAIN {sql}"))
                .unwrap()
                .query_map(["pending"], |r| r.get::<_, String>(1))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                !opcodes.iter().any(|op| op == "OpenEphemeral"),
                "a temporary table in: {sql}"
            );
            let refused = c.execute(sql, ["bogus"]).unwrap_err().to_string();
            assert!(refused.contains("CHECK constraint failed"), "{refused}");
        }
        let problems: i64 = c
            .query_row(
                "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(problems, 0);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        let before = dump_schema(&c);
        migrate(&mut c).unwrap();
        assert_eq!(before, dump_schema(&c));
    }
}
