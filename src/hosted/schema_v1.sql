-- hearken's PostgreSQL schema, version 1 (src/hosted/schema.rs installs it).
-- Translated from the SQLite schema version 10 (src/store/schema.rs, V1-V10 applied),
-- with version 12's event feed (D1), version 13's bounces and consent history (D3, D5) and
-- version 16's inbound SMS replies (D4):
-- the same tables, columns and checks, with every store table keyed by store_id first
-- (primary key, unique indexes, foreign keys and the other indexes: H4, Citus's
-- distribution column). SQLite INTEGER is bigint (timestamps stay integer instants as in
-- the file, so a dump compares as is), REAL double precision, BLOB bytea. The ids a host
-- sees are numbered per store by the engine from store_counters (H1, H3), not by
-- sequences. Row-level security, policies and grants are applied by schema.rs after this
-- file, on every install.

-- Shared: the directory of stores (a Citus reference table). The engine role reads only
-- its own row (policy below) and finds its key through hearken_store_key().
CREATE TABLE stores (
    store_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text_id text NOT NULL UNIQUE,
    -- Bumped when a store is deleted and one with the same text id created again.
    incarnation bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Per store: counters allocated under the store's advisory lock (ids a host sees, event
-- cursors), gap-free in commit order. Kept apart from `stores` so the counters live with
-- the store's rows on Citus (`stores` is a reference table).
CREATE TABLE store_counters (
    store_id bigint NOT NULL REFERENCES stores (store_id),
    counter text NOT NULL,
    next_value bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (store_id, counter)
);

-- Shared: the vendor-wide unsubscribe list (H2): SHA-256 of the database-wide pepper and
-- the normalised contact, hex; no plain contact, no store id. A Citus reference table.
CREATE TABLE unsubscribes (
    hash text PRIMARY KEY,
    channel text NOT NULL,
    source text NOT NULL,
    created_at bigint NOT NULL
);

-- Shared: database-wide settings set by the admin (the unsubscribe pepper).
CREATE TABLE shared_settings (
    key text PRIMARY KEY,
    value text NOT NULL
);

-- Shared: the schema version (one row).
CREATE TABLE schema_version (
    version integer NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locations (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    host_id text NOT NULL,
    name text NOT NULL,
    time_zone text NOT NULL,
    enabled bigint NOT NULL,
    review_link text,
    business_type text,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, host_id)
);

CREATE TABLE sync_dates (
    store_id bigint NOT NULL,
    location_id bigint NOT NULL,
    business_date text NOT NULL,
    synced_at bigint NOT NULL,
    via text NOT NULL CHECK (via IN ('sync', 'backfill')),
    PRIMARY KEY (store_id, location_id, business_date),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id)
);

CREATE TABLE customers (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    host_id text NOT NULL,
    name text,
    email text,
    email_norm text,
    phone text,
    phone_norm text,
    language text,
    gender text,
    reference text,
    include_in_communications bigint NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    erased_at bigint,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, host_id)
);

CREATE TABLE employees (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    host_id text NOT NULL,
    name text,
    role text NOT NULL,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, host_id)
);

-- No foreign keys on the five tables a night writes most rows of (transactions,
-- transaction_employees, decisions, invitations, outbox; SQLite's schema keeps them): PostgreSQL
-- checks a foreign key once per row, a SELECT ... FOR KEY SHARE of the parent row each
-- (about 1,300 a 200-sale night, most of the night's server time in the bench, see
-- docs/benchmarks.md), and a multi-row insert cannot batch them. Their rows are written
-- only by the engine, in the store's write transaction under its advisory lock, with ids
-- that transaction has just read or written (an employee link joins employees by host id
-- in the insert itself); customers, transactions, employees and locations are never
-- deleted but with the whole store (delete_store).
CREATE TABLE transactions (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    host_id text NOT NULL,
    location_id bigint NOT NULL,
    customer_id bigint,
    kind text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    finalized_at bigint,
    excluded bigint NOT NULL,
    first_seen_on text NOT NULL,
    refers_to text,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, host_id)
);
CREATE INDEX transactions_customer ON transactions (store_id, customer_id);
CREATE INDEX transactions_refers_to ON transactions (store_id, refers_to)
    WHERE refers_to IS NOT NULL;
CREATE INDEX transactions_finalized ON transactions (store_id, finalized_at)
    WHERE customer_id IS NOT NULL;

CREATE TABLE transaction_employees (
    store_id bigint NOT NULL,
    transaction_id bigint NOT NULL,
    employee_id bigint NOT NULL,
    PRIMARY KEY (store_id, transaction_id, employee_id)
);

CREATE TABLE decisions (
    store_id bigint NOT NULL,
    transaction_id bigint NOT NULL,
    business_date text NOT NULL,
    reason text,
    eligible_again_on text,
    decided_at bigint NOT NULL,
    related_customer text,
    cancelled_on text,
    cancel_reason text,
    PRIMARY KEY (store_id, transaction_id)
);

CREATE TABLE invitations (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    transaction_id bigint,
    location_id bigint NOT NULL,
    trigger text NOT NULL CHECK (trigger IN ('transaction')),
    channel text NOT NULL,
    language text NOT NULL,
    business_date text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivered', 'cancelled', 'failed', 'bounced')),
    due_at bigint NOT NULL,
    created_at bigint NOT NULL,
    delivered_at bigint,
    reminder_decided bigint NOT NULL DEFAULT 0,
    survey_kind text NOT NULL DEFAULT 'transactional'
        CHECK (survey_kind IN ('transactional', 'relationship')),
    contact text,
    PRIMARY KEY (store_id, id)
);
CREATE UNIQUE INDEX invitations_one_per_transaction
    ON invitations (store_id, transaction_id) WHERE trigger = 'transaction';
-- Pending invitations by due time (the timers): pending ones only, as SQLite's
-- `invitations_pending` (schema 10). A customer's invitations are found by
-- `invitations_person` and a contact's by `invitations_contact_person` (their leading
-- columns): no index of their own, as on SQLite.
CREATE INDEX invitations_pending ON invitations (store_id, due_at) WHERE status = 'pending';
CREATE INDEX invitations_reminders ON invitations (store_id, reminder_decided, delivered_at)
    WHERE status = 'delivered';
CREATE INDEX invitations_person
    ON invitations (store_id, customer_id, survey_kind, business_date);
CREATE INDEX invitations_contact_person
    ON invitations (store_id, contact, survey_kind, business_date, customer_id)
    WHERE contact IS NOT NULL;

CREATE TABLE suppressions (
    store_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('email', 'phone', 'customer')),
    value text NOT NULL,
    created_at bigint NOT NULL,
    source text NOT NULL,
    customer_id bigint,
    -- D4: when an SMS keyword asked for it; `source` is `keyword` only while no one else
    -- did, so START lifts only what a keyword asked.
    keyword_at bigint,
    PRIMARY KEY (store_id, kind, value)
);
CREATE INDEX suppressions_customer ON suppressions (store_id, customer_id)
    WHERE customer_id IS NOT NULL;

CREATE TABLE users (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    host_id text NOT NULL,
    name text NOT NULL,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'owner', 'manager', 'staff')),
    language text,
    notify text NOT NULL CHECK (notify IN ('all', 'negative', 'none')),
    active bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, host_id)
);

CREATE TABLE alerts (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN
        ('unhappy_customer', 'negative_feedback', 'unanswered_reviews', 'sync_gap')),
    location_id bigint NOT NULL,
    customer_id bigint,
    -- Not a foreign key: a deleted response (F3) leaves its alert and the work done on it.
    response_id bigint,
    user_id bigint,
    status text NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    detail text NOT NULL DEFAULT '',
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    closed_at bigint,
    escalated_at bigint,
    follow_up_at bigint,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id),
    FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id),
    FOREIGN KEY (store_id, user_id) REFERENCES users (store_id, id)
);
CREATE INDEX alerts_status ON alerts (store_id, status, location_id);
CREATE INDEX alerts_customer ON alerts (store_id, customer_id);
CREATE UNIQUE INDEX alerts_one_per_response ON alerts (store_id, response_id)
    WHERE response_id IS NOT NULL;
CREATE UNIQUE INDEX alerts_one_open_per_location ON alerts (store_id, kind, location_id)
    WHERE status <> 'done' AND kind IN ('unanswered_reviews', 'sync_gap');
CREATE INDEX alerts_escalation ON alerts (store_id, created_at)
    WHERE status <> 'done' AND escalated_at IS NULL;

CREATE TABLE outbox (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    message_id text NOT NULL,
    kind text NOT NULL,
    invitation_id bigint,
    customer_id bigint,
    user_id bigint,
    alert_id bigint,
    location_id bigint,
    channel text NOT NULL,
    language text NOT NULL,
    params text NOT NULL DEFAULT '{}',
    status text NOT NULL
        CHECK (status IN ('pending', 'in_flight', 'acked', 'failed', 'cancelled')),
    due_at bigint NOT NULL,
    lease_until bigint,
    attempts bigint NOT NULL DEFAULT 0,
    last_error text,
    cancel_reason text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    -- D2: the webhook subscription a `webhook` message was queued to (outbox_webhook).
    webhook_id bigint,
    CHECK (customer_id IS NULL OR user_id IS NULL),
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, message_id)
    -- No foreign keys, for the reason given above `transactions`: a night queues a message
    -- per invitation, whose five references cost a parent look-up each (2026-12-07, a
    -- 1,000-store bench: a fifth of the server's time). The engine writes its references
    -- from rows its transaction has just read or written.
);
-- Due messages (a claim) and expired leases: the pending and in-flight rows only, as
-- SQLite's schema 10 has them; an acked message leaves both.
CREATE INDEX outbox_claim ON outbox (store_id, due_at) WHERE status = 'pending';
CREATE INDEX outbox_lease ON outbox (store_id, lease_until) WHERE status = 'in_flight';
CREATE INDEX outbox_invitation ON outbox (store_id, invitation_id);
CREATE INDEX outbox_unslimmed ON outbox (store_id, updated_at)
    WHERE status = 'acked' AND (params <> '{}' OR last_error IS NOT NULL);
-- A customer's messages that are not an invitation's (those are found through her
-- invitations and `outbox_invitation`), as SQLite's schema 14: a night's invitation
-- messages add no entry here.
CREATE INDEX outbox_customer ON outbox (store_id, customer_id) WHERE invitation_id IS NULL;
-- A data subject's rows (D6): messages about her alerts, staff notifications about her
-- responses (the response id their text records as `about`).
CREATE INDEX outbox_alert ON outbox (store_id, alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX outbox_about ON outbox (store_id, (params::jsonb ->> 'about'))
    WHERE user_id IS NOT NULL;
-- D2: removing a subscription cancels its messages not yet delivered, found by this.
CREATE INDEX outbox_webhook ON outbox (store_id, webhook_id) WHERE webhook_id IS NOT NULL;
-- T2, D6: erasing a phone finds hearken's own texts to it (opt-out confirmations, HELP
-- texts, queued for no customer when none had the phone) by the phone their text records.
CREATE INDEX outbox_sms_reply ON outbox (store_id, (params::jsonb ->> 'phone'))
    WHERE kind = 'sms_keyword_reply';

CREATE TABLE link_tokens (
    store_id bigint NOT NULL,
    hash bytea NOT NULL,
    kind text NOT NULL CHECK (kind IN ('survey', 'unsubscribe')),
    invitation_id bigint,
    customer_id bigint NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint,
    used_at bigint,
    alert_id bigint,
    PRIMARY KEY (store_id, hash),
    FOREIGN KEY (store_id, invitation_id) REFERENCES invitations (store_id, id),
    FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id),
    FOREIGN KEY (store_id, alert_id) REFERENCES alerts (store_id, id)
);
CREATE INDEX link_tokens_invitation ON link_tokens (store_id, invitation_id);
CREATE INDEX link_tokens_customer ON link_tokens (store_id, customer_id);

CREATE TABLE templates (
    store_id bigint NOT NULL,
    kind text NOT NULL,
    channel text NOT NULL,
    language text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    html text,
    PRIMARY KEY (store_id, kind, channel, language)
);

CREATE TABLE suppression_hashes (
    store_id bigint NOT NULL,
    hash text NOT NULL,
    created_at bigint NOT NULL,
    source text NOT NULL,
    PRIMARY KEY (store_id, hash)
);

CREATE TABLE survey (
    store_id bigint NOT NULL,
    id bigint NOT NULL CHECK (id = 1),
    json text NOT NULL,
    PRIMARY KEY (store_id, id)
);

CREATE TABLE location_feedback (
    store_id bigint NOT NULL,
    location_id bigint NOT NULL,
    enabled bigint NOT NULL,
    PRIMARY KEY (store_id, location_id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id)
);

CREATE TABLE receipt_links (
    store_id bigint NOT NULL,
    hash bytea NOT NULL,
    location_id bigint NOT NULL,
    transaction_id bigint,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint,
    PRIMARY KEY (store_id, hash),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id),
    FOREIGN KEY (store_id, transaction_id) REFERENCES transactions (store_id, id)
);
CREATE INDEX receipt_links_transaction ON receipt_links (store_id, transaction_id)
    WHERE transaction_id IS NOT NULL;

CREATE TABLE responses (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    source text NOT NULL CHECK (source IN ('invitation', 'receipt', 'ereceipt')),
    invitation_id bigint,
    location_id bigint NOT NULL,
    customer_id bigint,
    transaction_id bigint,
    nps bigint CHECK (nps BETWEEN 0 AND 10),
    rating bigint,
    rating_scale bigint,
    score_base10 double precision,
    unhappy bigint NOT NULL,
    sentiment text NOT NULL CHECK (sentiment IN ('positive', 'negative', 'unknown')),
    facets text NOT NULL,
    comment text,
    answers text NOT NULL,
    consent_to_reply bigint NOT NULL,
    review_link_shown bigint NOT NULL,
    review_clicked_at bigint,
    review_confirmed_at bigint,
    created_at bigint NOT NULL,
    completed_at bigint,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, invitation_id),
    FOREIGN KEY (store_id, invitation_id) REFERENCES invitations (store_id, id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id),
    FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id),
    FOREIGN KEY (store_id, transaction_id) REFERENCES transactions (store_id, id)
);
CREATE INDEX responses_location ON responses (store_id, location_id, created_at);
CREATE INDEX responses_customer ON responses (store_id, customer_id);
CREATE INDEX responses_transaction ON responses (store_id, transaction_id)
    WHERE transaction_id IS NOT NULL;

CREATE TABLE response_deletions (
    store_id bigint NOT NULL,
    response_id bigint NOT NULL,
    customer text,
    responded_at bigint NOT NULL,
    score_base10 double precision,
    deleted_by text NOT NULL,
    deleted_at bigint NOT NULL,
    PRIMARY KEY (store_id, response_id)
);
CREATE INDEX response_deletions_customer ON response_deletions (store_id, customer)
    WHERE customer IS NOT NULL;

CREATE TABLE user_locations (
    store_id bigint NOT NULL,
    user_id bigint NOT NULL,
    location_id bigint NOT NULL,
    PRIMARY KEY (store_id, user_id, location_id),
    FOREIGN KEY (store_id, user_id) REFERENCES users (store_id, id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id)
);

CREATE TABLE user_notify_locations (
    store_id bigint NOT NULL,
    user_id bigint NOT NULL,
    location_id bigint NOT NULL,
    PRIMARY KEY (store_id, user_id, location_id),
    FOREIGN KEY (store_id, user_id) REFERENCES users (store_id, id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id)
);

-- location_id 0 is the store-wide default: not a foreign key.
CREATE TABLE alert_assignments (
    store_id bigint NOT NULL,
    kind text NOT NULL,
    location_id bigint NOT NULL,
    user_id bigint NOT NULL,
    PRIMARY KEY (store_id, kind, location_id),
    FOREIGN KEY (store_id, user_id) REFERENCES users (store_id, id)
);

CREATE TABLE alert_interactions (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    alert_id bigint NOT NULL,
    method text NOT NULL CHECK (method IN ('email', 'phone', 'sms', 'in_person', 'other')),
    note text NOT NULL,
    author text NOT NULL CHECK (author IN ('business', 'customer', 'system')),
    user_id bigint,
    created_at bigint NOT NULL,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, alert_id) REFERENCES alerts (store_id, id),
    FOREIGN KEY (store_id, user_id) REFERENCES users (store_id, id)
);
CREATE INDEX alert_interactions_alert ON alert_interactions (store_id, alert_id);

CREATE TABLE alert_follow_ups (
    store_id bigint NOT NULL,
    alert_id bigint NOT NULL,
    nps bigint,
    score_base10 double precision,
    comment text,
    created_at bigint NOT NULL,
    completed_at bigint,
    PRIMARY KEY (store_id, alert_id),
    FOREIGN KEY (store_id, alert_id) REFERENCES alerts (store_id, id)
);

CREATE TABLE thread_comments (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    response_id bigint NOT NULL,
    author text NOT NULL CHECK (author IN ('customer', 'business')),
    kind text NOT NULL CHECK (kind IN ('comment', 'reply', 'reward', 'refund')),
    body text NOT NULL,
    coupon_code text,
    amount_minor bigint,
    currency text,
    user_id bigint,
    created_at bigint NOT NULL,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, user_id) REFERENCES users (store_id, id)
);
CREATE INDEX thread_comments_response ON thread_comments (store_id, response_id, id);

CREATE TABLE reply_addresses (
    store_id bigint NOT NULL,
    hash bytea NOT NULL,
    response_id bigint NOT NULL,
    alert_id bigint,
    created_at bigint NOT NULL,
    PRIMARY KEY (store_id, hash),
    FOREIGN KEY (store_id, alert_id) REFERENCES alerts (store_id, id)
);

CREATE TABLE external_reviews (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    host_id text NOT NULL,
    location_id bigint NOT NULL,
    site text NOT NULL,
    rating bigint,
    posted_at bigint NOT NULL,
    replied_at bigint,
    PRIMARY KEY (store_id, id),
    UNIQUE (store_id, host_id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id)
);
CREATE INDEX external_reviews_unanswered ON external_reviews (store_id, location_id)
    WHERE replied_at IS NULL;

CREATE TABLE rollups_daily (
    store_id bigint NOT NULL,
    employee_id bigint NOT NULL,
    location_id bigint NOT NULL,
    day bigint NOT NULL,
    responses bigint NOT NULL,
    promoters bigint NOT NULL,
    passives bigint NOT NULL,
    detractors bigint NOT NULL,
    rated bigint NOT NULL,
    rating_units bigint NOT NULL,
    PRIMARY KEY (store_id, employee_id, location_id, day)
);
CREATE INDEX rollups_daily_location ON rollups_daily (store_id, location_id, day);

CREATE TABLE peer_aggregates (
    store_id bigint NOT NULL,
    store text NOT NULL,
    location bigint NOT NULL,
    month text NOT NULL,
    promoters bigint NOT NULL,
    passives bigint NOT NULL,
    detractors bigint NOT NULL,
    rated bigint NOT NULL,
    rating_sum double precision NOT NULL,
    imported_at bigint NOT NULL,
    PRIMARY KEY (store_id, store, location, month)
);

-- SQLite's `value ANY` holds an integer or a text: one column each, at most one set.
CREATE TABLE setting_values (
    store_id bigint NOT NULL,
    grp text NOT NULL,
    key text NOT NULL,
    int_value bigint,
    text_value text,
    CHECK (int_value IS NULL OR text_value IS NULL),
    PRIMARY KEY (store_id, grp, key)
);

CREATE TABLE relationship_decisions (
    store_id bigint NOT NULL,
    customer_id bigint NOT NULL,
    business_date text NOT NULL,
    location_id bigint NOT NULL,
    invitation_id bigint,
    reason text,
    eligible_again_on text,
    related_customer text,
    decided_at bigint NOT NULL,
    PRIMARY KEY (store_id, customer_id, business_date),
    FOREIGN KEY (store_id, customer_id) REFERENCES customers (store_id, id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id),
    FOREIGN KEY (store_id, invitation_id) REFERENCES invitations (store_id, id)
);
CREATE INDEX relationship_decisions_invitation ON relationship_decisions (store_id, invitation_id)
    WHERE invitation_id IS NOT NULL;

CREATE TABLE location_policies (
    store_id bigint NOT NULL,
    location_id bigint NOT NULL,
    daily_cap bigint,
    sample_percent bigint,
    monthly_response_quota bigint,
    PRIMARY KEY (store_id, location_id),
    FOREIGN KEY (store_id, location_id) REFERENCES locations (store_id, id)
);

-- scope 0 is the store's calendar, otherwise a location's id.
CREATE TABLE calendar_days (
    store_id bigint NOT NULL,
    scope bigint NOT NULL,
    weekday bigint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    sends bigint NOT NULL,
    opens bigint,
    closes bigint,
    PRIMARY KEY (store_id, scope, weekday)
);

CREATE TABLE closed_dates (
    store_id bigint NOT NULL,
    scope bigint NOT NULL,
    date text NOT NULL,
    PRIMARY KEY (store_id, scope, date)
);

-- D1: the event feed (SQLite schema version 12). Events are numbered after the last
-- number given (the newest event's, or event_meta.last_seq, where a prune keeps the newest
-- number it deletes), under the store's advisory lock every write transaction takes, so
-- numbers are gap-free in commit order and never given twice;
-- incarnation is random, renewed by an import and in an export's file, so a cursor from
-- another copy of the store is told apart.
CREATE TABLE events (
    store_id bigint NOT NULL,
    seq bigint NOT NULL,
    type text NOT NULL,
    at bigint NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (store_id, seq)
);

CREATE TABLE event_meta (
    store_id bigint NOT NULL,
    id bigint NOT NULL CHECK (id = 1),
    incarnation text NOT NULL,
    last_seq bigint NOT NULL,
    PRIMARY KEY (store_id, id)
);

-- D3: hard bounces mark a normalised contact unusable (SQLite schema version 13).
CREATE TABLE bounces (
    store_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind = 'email' OR kind = 'phone'),
    value text NOT NULL,
    bounced_at bigint NOT NULL,
    message_id text NOT NULL,
    customer_id bigint,
    PRIMARY KEY (store_id, kind, value)
);
CREATE INDEX bounces_customer ON bounces (store_id, customer_id)
    WHERE customer_id IS NOT NULL;

-- D5: the consent history (SQLite schema version 13): each change, per customer and/or
-- contact, channel and purpose, with its source and time.
CREATE TABLE consent_changes (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    customer_id bigint,
    contact text,
    channel text NOT NULL,
    purpose text NOT NULL,
    granted bigint NOT NULL,
    source text NOT NULL,
    at bigint NOT NULL,
    PRIMARY KEY (store_id, id)
);
CREATE INDEX consent_changes_customer ON consent_changes (store_id, customer_id)
    WHERE customer_id IS NOT NULL;
CREATE INDEX consent_changes_contact ON consent_changes (store_id, contact)
    WHERE contact IS NOT NULL;

-- D2: webhook subscriptions (SQLite schema version 15). Ids come from store_counters, so
-- one is never reused; the secrets are credentials (never printed; the T12 dump masks
-- them). event_types is a JSON array's text; status 'active' | 'disabled'.
CREATE TABLE webhook_subscriptions (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    url text NOT NULL,
    secret text NOT NULL,
    previous_secret text,
    previous_until bigint,
    event_types text NOT NULL,
    status text NOT NULL CHECK (status = 'active' OR status = 'disabled'),
    consecutive_failures bigint NOT NULL DEFAULT 0,
    created_at bigint NOT NULL,
    disabled_at bigint,
    disabled_reason text,
    PRIMARY KEY (store_id, id)
);

-- D4: inbound SMS replies kept (SQLite schema version 16): personal data, erased with the
-- customer or the phone.
CREATE TABLE inbound_replies (
    store_id bigint NOT NULL,
    id bigint NOT NULL,
    phone text NOT NULL,
    customer_id bigint,
    body text NOT NULL,
    received_at bigint NOT NULL,
    PRIMARY KEY (store_id, id)
);
CREATE INDEX inbound_replies_phone ON inbound_replies (store_id, phone);
CREATE INDEX inbound_replies_customer ON inbound_replies (store_id, customer_id)
    WHERE customer_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------
-- Mailer leases (H3, vendor-level; src/hosted/lease.rs). A vendor's mailer processes
-- drain the outbox of many stores: each asks hearken_lease_stores() (schema.rs) for
-- stores with due work that no mailer holds, and the picked rows are locked with
-- FOR UPDATE SKIP LOCKED, so two mailers never lease one store. One row per store,
-- written by create_store. A shared table, not a store table: no store_id policy, no
-- grant to the engine role, which reaches it only through the SECURITY DEFINER
-- functions hearken_lease_stores, hearken_renew_store and hearken_release_store (they
-- answer store keys, text ids and lease times, never a store's rows). Instants are Unix
-- milliseconds, as elsewhere; the mailer's `now` is the clock (as every call's).
CREATE TABLE store_leases (
    store_id bigint PRIMARY KEY REFERENCES stores (store_id),
    -- The mailer holding the store, until leased_until (both NULL: nobody).
    leased_by text,
    leased_until bigint,
    -- When it was last leased: the store served longest ago goes first.
    leased_at bigint,
    CHECK ((leased_by IS NULL) = (leased_until IS NULL))
);
