//! Feedback exports (issue 8 items 2 and 3): the CSV (X1) and the spreadsheet (X2), read
//! back with real readers — the csv crate, calamine, and LibreOffice when installed.

mod common;

use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use chrono::{DateTime, Utc};
use common::{at, paris_night};
use hearken::{
    Answer, CommentKind, Engine, ErrorKind, ExportQuery, FeedbackInput, Location, Question,
    QuestionKind, ReplyInput, ResponseInput, Sentiment, Survey, User, UserRole,
};

const HEADER: &str = "Date,Time,Conversation ID,Comment ID,Transaction ID,Customer ID,Customer Name,Customer Reference ID,Channel,Location,Author,Sentiment,Facet,Comment";

/// A comment with a comma, quotes, a newline and Korean.
const TRICKY: &str = "정말 \"좋아요\", 그런데\n다음엔 더 빨리 부탁해요";

const BATCH: &str = r#"{
  "format": 1, "location": "paris", "business_dates": ["2026-11-20"],
  "customers": [
    {"id": "c1", "name": "Amélie Dupont", "email": "amelie@example.fr", "reference": "R-001", "include_in_communications": true},
    {"id": "c2", "name": "김민준", "email": "minjun@example.kr", "include_in_communications": true},
    {"id": "c3", "name": "Bob O'Neil", "email": "bob@example.com", "include_in_communications": true}
  ],
  "employees": [
    {"id": "e1", "name": "Lucas", "role": "salesperson"},
    {"id": "e2", "name": "Sophie", "role": "technician"}
  ],
  "transactions": [
    {"id": "t1", "customer": "c1", "employees": ["e1"], "kind": "sale", "amount_minor": 100, "currency": "EUR", "finalized_at": "2026-11-20T10:00:00+01:00"},
    {"id": "t2", "customer": "c2", "employees": ["e1", "e2"], "kind": "service", "amount_minor": 100, "currency": "EUR", "finalized_at": "2026-11-20T11:00:00+01:00"},
    {"id": "t3", "customer": "c3", "employees": ["e2"], "kind": "sale", "amount_minor": 100, "currency": "EUR", "finalized_at": "2026-11-20T12:00:00+01:00"}
  ]
}"#;

fn question(id: &str, kind: QuestionKind) -> Question {
    Question {
        id: id.into(),
        kind,
        text: [("en".to_owned(), format!("{id}?"))].into(),
        scale: None,
        options: vec![],
    }
}

fn answers(nps: u32, stars: Option<u32>, comment: Option<&str>) -> ResponseInput {
    let mut a = vec![Answer {
        question: "recommend".into(),
        score: Some(nps),
        ..Answer::default()
    }];
    if let Some(s) = stars {
        a.push(Answer {
            question: "stars".into(),
            score: Some(s),
            ..Answer::default()
        });
    }
    if let Some(text) = comment {
        a.push(Answer {
            question: "comment".into(),
            text: Some(text.into()),
            ..Answer::default()
        });
    }
    ResponseInput {
        answers: a,
        consent_to_reply: true,
    }
}

/// A store on a temporary file: Paris (three answers) and Seoul (e-receipt feedback),
/// and a business reply in c2's conversation. `locations` is 1 (Paris only) or 2.
fn store(dir: &Path, locations: usize) -> Engine {
    let path = dir.join("export.db");
    let e = Engine::open(&path).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    if locations > 1 {
        e.upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
            .unwrap();
    }
    let mut stars = question("stars", QuestionKind::Rating);
    stars.scale = Some(5);
    e.set_survey(&Survey {
        questions: vec![
            question("recommend", QuestionKind::Nps),
            stars,
            question("comment", QuestionKind::Comment),
        ],
    })
    .unwrap();
    e.sync_json(BATCH, paris_night("2026-11-20")).unwrap();
    let due = at("2026-11-21T09:00:00Z");
    let mut tokens = std::collections::BTreeMap::new();
    for m in common::deliver(&e, 10, due) {
        let link = m.survey_link.unwrap();
        tokens.insert(m.customer.unwrap(), common::link_token(&link));
    }
    let answer = |who: &str, when: &str, input: ResponseInput| {
        e.record_response(&tokens[who], &input, at(when)).unwrap()
    };
    // 10:05 in Paris on the 21st.
    answer(
        "c1",
        "2026-11-21T09:05:00Z",
        answers(10, Some(5), Some("Parfait, merci !")),
    );
    // 00:30 in Paris on the 22nd.
    let c2 = answer(
        "c2",
        "2026-11-21T23:30:00Z",
        answers(3, Some(2), Some(TRICKY)),
    );
    answer("c3", "2026-11-23T10:00:00Z", answers(8, None, None));
    if locations > 1 {
        // 12:00 in Seoul on the 22nd; then a day without responses; then one without NPS.
        let feedback = |when: &str, sentiment, facets: &[&str], comment: Option<&str>| {
            e.record_feedback(
                &FeedbackInput {
                    location: "seoul".into(),
                    transaction: None,
                    customer: None,
                    sentiment,
                    facets: facets.iter().map(|f| f.to_string()).collect(),
                    comment: comment.map(Into::into),
                    consent_to_reply: false,
                },
                at(when),
            )
            .unwrap()
        };
        feedback(
            "2026-11-22T03:00:00Z",
            Sentiment::Positive,
            &["staff", "price"],
            Some("Très bien, l'équipe"),
        );
        feedback("2026-11-25T01:00:00Z", Sentiment::Negative, &[], None);
    }
    // The business replies in c2's conversation (F2: c2 agreed to replies).
    e.upsert_user(&User::new(
        "u1",
        "Élise Martin",
        "elise@example.fr",
        UserRole::Manager,
    ))
    .unwrap();
    let reply = ReplyInput {
        user: "u1".into(),
        kind: CommentKind::Reply,
        body: "Désolé — we will call you".into(),
        coupon_code: None,
        amount_minor: None,
        currency: None,
    };
    e.reply(c2.response_id, &reply, at("2026-11-25T08:00:00Z"))
        .unwrap();
    e
}

/// The CSV export as records, after checking the BOM and the header line.
fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM first");
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(text[3..].starts_with(&format!("{HEADER}\r\n")), "X1 header");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header.join(","), HEADER);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn export_csv(e: &Engine, q: &ExportQuery) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let n = e.export_csv(q, &mut out).unwrap();
    let rows = read_csv(&out);
    assert_eq!(rows.len() as u64, n);
    rows
}

fn column<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = HEADER.split(',').position(|h| h == name).unwrap();
    rows.iter().map(|r| r[i].as_str()).collect()
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(at(s))
}

#[test]
fn x1_csv_reads_back_with_bom_header_quoting_and_korean() {
    let dir = tempfile::tempdir().unwrap();
    let e = store(dir.path(), 2);
    let rows = export_csv(&e, &ExportQuery::default());
    assert_eq!(rows.len(), 4, "one row per thread comment: {rows:?}");
    for r in &rows {
        assert_eq!(r.len(), 14);
    }
    assert_eq!(
        rows[0],
        [
            "2026-11-21",
            "09:05:00",
            &rows[0][2],
            &rows[0][3],
            "t1",
            "c1",
            "Amélie Dupont",
            "R-001",
            "email",
            "Boutique Paris",
            "customer",
            "unknown",
            "",
            "Parfait, merci !",
        ]
    );
    // Comma, quotes, newline and Korean survive the round trip; times are UTC, 24 h.
    assert_eq!(&rows[1][..2], ["2026-11-21", "23:30:00"]);
    assert_eq!(rows[1][6], "김민준");
    assert_eq!(rows[1][13], TRICKY);
    // Anonymous e-receipt feedback: no transaction or customer, facets joined with "; ".
    assert_eq!(
        &rows[2][4..],
        [
            "",
            "",
            "",
            "",
            "ereceipt",
            "서울 매장",
            "customer",
            "positive",
            "staff; price",
            "Très bien, l'équipe"
        ]
    );
    // The business reply belongs to c2's conversation.
    assert_eq!(
        column(&rows, "Author"),
        ["customer", "customer", "customer", "business"]
    );
    assert_eq!(rows[3][2], rows[1][2], "same Conversation ID");
    assert_ne!(rows[3][3], rows[1][3], "its own Comment ID");
    assert_eq!(rows[3][13], "Désolé — we will call you");
}

#[test]
fn x1_csv_filters_by_location_and_period_and_keeps_conversations_whole() {
    let dir = tempfile::tempdir().unwrap();
    let e = store(dir.path(), 2);
    let seoul = export_csv(
        &e,
        &ExportQuery {
            location: Some("seoul".into()),
            ..Default::default()
        },
    );
    assert_eq!(column(&seoul, "Location"), ["서울 매장"]);
    // c2 answered in the period; the reply of the 25th comes with the conversation.
    let night = export_csv(
        &e,
        &ExportQuery {
            from: utc("2026-11-21T12:00:00Z"),
            to: utc("2026-11-22T00:00:00Z"),
            ..Default::default()
        },
    );
    assert_eq!(column(&night, "Customer ID"), ["c2", "c2"]);
    assert_eq!(column(&night, "Date"), ["2026-11-21", "2026-11-25"]);
    let none = export_csv(
        &e,
        &ExportQuery {
            from: utc("2027-01-01T00:00:00Z"),
            ..Default::default()
        },
    );
    assert!(none.is_empty(), "an empty period still has the header");

    let unknown = ExportQuery {
        location: Some("lyon".into()),
        ..Default::default()
    };
    let err = e.export_csv(&unknown, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let backwards = ExportQuery {
        from: utc("2026-12-01T00:00:00Z"),
        to: utc("2026-11-01T00:00:00Z"),
        ..Default::default()
    };
    let err = e.export_csv(&backwards, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.problems()[0].field, "to");
}

#[test]
fn x1_location_is_empty_in_a_single_location_store() {
    let dir = tempfile::tempdir().unwrap();
    let e = store(dir.path(), 1);
    let rows = export_csv(&e, &ExportQuery::default());
    assert_eq!(rows.len(), 3);
    assert_eq!(column(&rows, "Location"), ["", "", ""]);
}

#[test]
fn x1_csv_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let e = store(dir.path(), 2);
    let path = dir.path().join("feedback.csv");
    assert_eq!(
        e.export_csv_file(&ExportQuery::default(), &path).unwrap(),
        4
    );
    assert_eq!(read_csv(&std::fs::read(&path).unwrap()).len(), 4);
    assert!(!dir.path().join("feedback.csv.partial").exists());
    let bad = ExportQuery {
        location: Some("lyon".into()),
        ..Default::default()
    };
    assert!(e.export_csv_file(&bad, &path).is_err());
    assert_eq!(
        read_csv(&std::fs::read(&path).unwrap()).len(),
        4,
        "a failed export leaves the previous file"
    );
}

/// Every cell of a sheet as text ("" for an empty cell), rows padded to the header.
fn sheet(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(cells: &[Data]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

#[test]
fn x2_xlsx_has_employee_date_and_comment_sheets_read_back_by_calamine() {
    let dir = tempfile::tempdir().unwrap();
    let e = store(dir.path(), 2);
    let path = dir.path().join("feedback.xlsx");
    let summary = e.export_xlsx_file(&ExportQuery::default(), &path).unwrap();
    assert_eq!(
        (summary.employees, summary.days, summary.comments),
        (2, 5, 4)
    );
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["By employee", "By date", "Comments"]);

    // X4/N2: t2 credits both employees. Lucas: 10 and 3 → NPS 0; stars 5 and 2 → 7.0.
    // Sophie: 3 and 8 → NPS −50; only c2 rated (2 of 5 → 4.0).
    let emp = sheet(&mut book, "By employee");
    assert_eq!(
        text(&emp[0]),
        [
            "Employee",
            "Employee ID",
            "Role",
            "Responses",
            "Promoters",
            "Passives",
            "Detractors",
            "NPS",
            "Average rating (base 10)"
        ]
    );
    assert_eq!(
        text(&emp[1]),
        ["Lucas", "e1", "salesperson", "2", "1", "0", "1", "0", "7"]
    );
    assert_eq!(
        text(&emp[2]),
        ["Sophie", "e2", "technician", "2", "0", "1", "1", "-50", "4"]
    );

    // Local days (N2): c2 at 23:30 UTC is the 22nd in Paris; the 24th has no response,
    // so no NPS (N1, an empty cell, not 0); the 25th has feedback without an NPS.
    let days = sheet(&mut book, "By date");
    assert_eq!(
        text(&days[0]),
        [
            "Date",
            "Responses",
            "Promoters",
            "Passives",
            "Detractors",
            "NPS",
            "Average rating (base 10)"
        ]
    );
    let dates: Vec<String> = days[1..]
        .iter()
        .map(|r| r[0].as_datetime().unwrap().date().to_string())
        .collect();
    assert_eq!(
        dates,
        [
            "2026-11-21",
            "2026-11-22",
            "2026-11-23",
            "2026-11-24",
            "2026-11-25"
        ]
    );
    let figures: Vec<Vec<String>> = days[1..].iter().map(|r| text(&r[1..])).collect();
    assert_eq!(
        figures,
        [
            vec!["1", "1", "0", "0", "100", "10"],
            vec!["2", "0", "0", "1", "-100", "4"],
            vec!["1", "0", "1", "0", "0", ""],
            vec!["0", "0", "0", "0", "", ""],
            vec!["1", "0", "0", "0", "", ""],
        ]
    );
    assert_eq!(days[4][5], Data::Empty, "no answers: no NPS");

    // The comments sheet holds exactly the CSV's rows.
    let mut csv = Vec::new();
    e.export_csv(&ExportQuery::default(), &mut csv).unwrap();
    let comments = sheet(&mut book, "Comments");
    assert_eq!(text(&comments[0]).join(","), HEADER);
    let cells: Vec<Vec<String>> = comments[1..].iter().map(|r| text(r)).collect();
    assert_eq!(cells, read_csv(&csv));
    assert!(matches!(comments[1][2], Data::Float(_)), "ids are numbers");
}

#[test]
fn x2_xlsx_is_scoped_to_a_location_and_period() {
    let dir = tempfile::tempdir().unwrap();
    let e = store(dir.path(), 2);
    let q = ExportQuery {
        location: Some("paris".into()),
        from: utc("2026-11-22T00:00:00Z"),
        to: None,
    };
    let mut bytes = Vec::new();
    let summary = e.export_xlsx(&q, &mut bytes).unwrap();
    assert_eq!(
        (summary.employees, summary.days, summary.comments),
        (1, 1, 0)
    );
    let path = dir.path().join("scoped.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let emp = sheet(&mut book, "By employee");
    assert_eq!(
        text(&emp[1]),
        ["Sophie", "e2", "technician", "1", "0", "1", "0", "0", ""]
    );
    assert_eq!(sheet(&mut book, "Comments").len(), 1, "header only");
}

/// Converts every sheet of `xlsx` to CSV with LibreOffice; `None` when it is not installed.
fn libreoffice_csv(xlsx: &Path, out: &Path) -> Option<Vec<(String, String)>> {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|p| {
        std::process::Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })?;
    // A private profile: parallel runs do not share (or lock) the user's.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        out.join("profile").display()
    );
    let status = std::process::Command::new(soffice)
        .arg(profile)
        .arg("--headless")
        .arg("--convert-to")
        // Comma, double quote, UTF-8 (76), from line 1, …, cells as shown, every sheet (-1).
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1")
        .arg("--outdir")
        .arg(out)
        .arg(xlsx)
        .output()
        .unwrap();
    assert!(status.status.success(), "soffice failed: {status:?}");
    let stem = xlsx.file_stem().unwrap().to_string_lossy().into_owned();
    Some(
        ["By employee", "By date", "Comments"]
            .iter()
            .map(|s| {
                let file = out.join(format!("{stem}-{s}.csv"));
                let body = std::fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                (s.to_string(), body)
            })
            .collect(),
    )
}

#[test]
fn x2_xlsx_reads_back_in_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let e = store(dir.path(), 2);
    let path = dir.path().join("feedback.xlsx");
    e.export_xlsx_file(&ExportQuery::default(), &path).unwrap();
    let Some(sheets) = libreoffice_csv(&path, dir.path()) else {
        eprintln!("NOTICE: soffice not found; LibreOffice read-back of the .xlsx skipped");
        return;
    };
    let rows = |body: &str| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let emp = rows(&sheets[0].1);
    assert_eq!(
        emp[1],
        [
            "Lucas",
            "e1",
            "salesperson",
            "2",
            "1",
            "0",
            "1",
            "0.0",
            "7.0"
        ]
    );
    assert_eq!(
        emp[2],
        [
            "Sophie",
            "e2",
            "technician",
            "2",
            "0",
            "1",
            "1",
            "-50.0",
            "4.0"
        ]
    );
    let days = rows(&sheets[1].1);
    assert_eq!(days[1], ["2026-11-21", "1", "1", "0", "0", "100.0", "10.0"]);
    assert_eq!(days[4], ["2026-11-24", "0", "0", "0", "0", "", ""]);
    let comments = rows(&sheets[2].1);
    assert_eq!(comments[0].join(","), HEADER);
    let mut csv = Vec::new();
    e.export_csv(&ExportQuery::default(), &mut csv).unwrap();
    assert_eq!(comments[1..], read_csv(&csv)[..]);
    assert_eq!(comments[2][13], TRICKY);
}
