//! Answers and tokens from the survey page. A fresh in-memory store has one delivered
//! invitation (survey with NPS, rating, choice, comment and facets questions). The input
//! is parsed with `wire::parse_response` and recorded through the real survey link; it is
//! also used as a link token (`record_response`, `survey_page`, `unsubscribe_by_token`)
//! and as a survey-page language. Everything returns Ok or an error typed as the input's
//! fault; a rejected answer leaves the link working; a link takes one response (F6).
#![no_main]

use hearken::ErrorKind;
use hearken_fuzz::{Links, Reuse, due, input_error, invited, promoter};
use libfuzzer_sys::fuzz_target;

thread_local!(static STORE: Reuse<(hearken::Engine, Links)> = const { Reuse::new() });

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (e, links) = STORE.with(|s| s.take(invited));
    let now = due();

    // The input as a token: never a match (tokens are 128 random bits).
    match e.record_response(text, &promoter(), now) {
        Ok(_) => panic!("a fuzzed token recorded a response"),
        Err(err) => input_error(&err, "record_response(token)"),
    }
    if let Err(err) = e.survey_page(text, None, now) {
        input_error(&err, "survey_page(token)");
    }
    match e.unsubscribe_by_token(text, now) {
        Ok(c) => panic!("a fuzzed token unsubscribed {c}"),
        Err(err) => input_error(&err, "unsubscribe_by_token"),
    }
    // The input as the page's language, on the real link.
    match e.survey_page(&links.survey, Some(text), now) {
        Ok(page) => {
            let _ = hearken::wire::to_json(&page);
        }
        Err(err) => input_error(&err, "survey_page(language)"),
    }

    // The input as answers, on the real link.
    let answers = match hearken::wire::parse_response(text) {
        Ok(a) => a,
        Err(err) => {
            // Only rejected calls and reads so far: the store is unchanged.
            input_error(&err, "parse_response");
            return STORE.with(|s| s.give_back((e, links)));
        }
    };
    match e.record_response(&links.survey, &answers, now) {
        Ok(outcome) => {
            if let Some(s) = outcome.score_base10 {
                assert!((0.0..=10.0).contains(&s), "score_base10 {s}");
            }
            let _ = hearken::wire::to_json(&outcome);
            // F6: one response per link.
            let again = e
                .record_response(&links.survey, &promoter(), now)
                .expect_err("a second response on the same link");
            assert_eq!(again.kind(), ErrorKind::Conflict, "{}", again.to_json());
        }
        Err(err) => {
            input_error(&err, "record_response(answers)");
            // Nothing stored: the link still takes a response.
            e.record_response(&links.survey, &promoter(), now)
                .unwrap_or_else(|err| {
                    panic!("link broken by a rejected answer: {}", err.to_json())
                });
        }
    }
});
