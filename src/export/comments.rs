//! The X1 columns of one thread comment, shared by the CSV and the spreadsheet.

use chrono::DateTime;

use super::CommentRecord;

/// The header row of the CSV export and of the comments sheet, exactly as X1 states it.
pub(crate) const COMMENT_HEADER: [&str; 14] = [
    "Date",
    "Time",
    "Conversation ID",
    "Comment ID",
    "Transaction ID",
    "Customer ID",
    "Customer Name",
    "Customer Reference ID",
    "Channel",
    "Location",
    "Author",
    "Sentiment",
    "Facet",
    "Comment",
];

/// The 14 X1 cells of a comment: date and time in UTC (24 h), the location empty for a
/// single-location store, facets joined with "; ".
pub(crate) fn comment_fields(r: &CommentRecord, single_location: bool) -> [String; 14] {
    let at = DateTime::from_timestamp_millis(r.at_ms).unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        at.format("%Y-%m-%d").to_string(),
        at.format("%H:%M:%S").to_string(),
        r.conversation.to_string(),
        r.comment.to_string(),
        text(&r.transaction),
        text(&r.customer),
        text(&r.customer_name),
        text(&r.customer_reference),
        r.channel.clone(),
        if single_location {
            String::new()
        } else {
            r.location.clone()
        },
        r.author.clone(),
        r.sentiment.clone(),
        facets(&r.facets_json),
        r.body.clone(),
    ]
}

/// The facets of a stored JSON array, joined with "; " (unreadable JSON: none).
fn facets(json: &str) -> String {
    serde_json::from_str::<Vec<String>>(json)
        .map(|f| f.join("; "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CommentRecord {
        CommentRecord {
            at_ms: 1_795_251_900_000, // 2026-11-21T09:05:00Z
            conversation: 7,
            comment: 9,
            transaction: Some("t1".into()),
            customer: Some("c1".into()),
            customer_name: Some("Amélie".into()),
            customer_reference: None,
            channel: "email".into(),
            location: "Boutique Paris".into(),
            author: "customer".into(),
            sentiment: "unknown".into(),
            facets_json: r#"["service","price"]"#.into(),
            body: "Merci".into(),
        }
    }

    #[test]
    fn x1_utc_date_and_24h_time_facets_joined_location_only_with_several() {
        let f = comment_fields(&record(), false);
        assert_eq!(&f[..4], ["2026-11-21", "09:05:00", "7", "9"]);
        assert_eq!(f[7], "");
        assert_eq!(f[9], "Boutique Paris");
        assert_eq!(f[12], "service; price");
        assert_eq!(comment_fields(&record(), true)[9], "");
    }
}
